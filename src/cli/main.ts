#!/usr/bin/env node
/** spark-k8s-exporter: `serve` (the exporter), `demo` and `simulate` (the embedded simulated cluster). */
import { VERSION } from '../version.js';
import { runServe } from './serve.js';

const USAGE = `spark-k8s-exporter ${VERSION}: Prometheus metrics for Apache Spark on Kubernetes

Usage: spark-k8s-exporter <command> [flags]

Commands:
  serve      watch the cluster and serve /metrics (the exporter)
  demo       run the exporter against the embedded simulated cluster, with a live summary
  simulate   run only the simulated cluster (a Kubernetes API for kubectl and other tools)
  version    print the version

Run 'spark-k8s-exporter <command> --help' for a command's flags.
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: (argv) => runServe(argv),
  demo: async (argv) => (await import('./demo.js')).runDemo(argv),
  // Loaded on demand: `serve` in production never loads the simulator.
  simulate: async (argv) => (await import('../sim/cli.js')).runSimulate(argv),
  version: async () => {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version') return COMMANDS['version']!([]);
  const run = COMMANDS[cmd];
  if (!run) {
    process.stderr.write(`spark-k8s-exporter: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`spark-k8s-exporter: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
