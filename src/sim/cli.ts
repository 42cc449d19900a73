/** `spark-k8s-exporter simulate …`: run the simulator alone until SIGINT/SIGTERM. */
import { startSimulator } from './index.js';
import { flagTable, helpText, parseFlags, UsageError, type FlagValues } from '../cli/flags.js';
import { SCENARIOS } from './scenarios.js';

const SUMMARY = 'Run only the simulated cluster: a Kubernetes API server for the exporter, kubectl and other tools.';

/** The `simulate` flags, through the same declarative parser as `serve` and `demo`. */
export const SIMULATE_FLAGS = flagTable([
  { name: 'scenario', type: 'enum', required: true, values: SCENARIOS, help: 'Simulated workload' },
  { name: 'port', type: 'int', default: '0', min: 0, max: 65535, help: 'Port the API server listens on (0 picks a free one)' },
  { name: 'kubeconfig-out', type: 'string', aliases: ['kubeconfig'], help: 'Write a kubeconfig for the simulated cluster to this file' },
  { name: 'speed', type: 'number', default: '1', help: 'Simulated seconds per real second' },
  { name: 'seed', type: 'int', default: '1', min: 0, help: 'Seed of the simulated workload (same seed, same run)' },
  { name: 'tls', type: 'bool', default: 'false', help: 'Serve HTTPS (a self-signed certificate, written into the kubeconfig)' },
  { name: 'crd', type: 'bool', default: 'true', help: 'Serve the Spark operator CRDs (kubeflow SparkApplications and ScheduledSparkApplications, Apache SparkApplications); --no-crd makes their groups absent (404)' },
  { name: 'pods', type: 'int', min: 1, help: 'Pods in the scale scenario (default 150000)' },
  { name: 'apps', type: 'int', min: 1, help: 'Applications in the scale scenario (default pods / 50)' },
]);

export type SimulateArgs = FlagValues<typeof SIMULATE_FLAGS>;

function usage(message: string): number {
  process.stderr.write(`spark-k8s-exporter simulate: ${message}\nRun 'spark-k8s-exporter simulate --help' for the flags.\n`);
  return 2;
}

export async function runSimulate(argv: string[]): Promise<number> {
  let args: SimulateArgs;
  try {
    const parsed = parseFlags(SIMULATE_FLAGS, argv, process.env);
    if (parsed.help) {
      process.stdout.write(`${helpText('simulate', SUMMARY, SIMULATE_FLAGS)}\n`);
      return 0;
    }
    if (parsed.positionals.length > 0) return usage(`unexpected argument "${parsed.positionals[0]}"`);
    args = parsed.values;
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (args.speed <= 0) return usage('--speed must be positive');
  const scale = args.scenario === 'scale' ? { pods: args.pods ?? 150_000, apps: args.apps ?? Math.max(1, Math.round((args.pods ?? 150_000) / 50)) } : undefined;
  let sim;
  try {
    sim = await startSimulator({ scenario: args.scenario, port: args.port, kubeconfigOut: args['kubeconfig-out'], speed: args.speed, seed: args.seed, tls: args.tls, sparkApplicationCrd: args.crd, scale });
  } catch (e) {
    process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  process.stdout.write(`simulator (${args.scenario}) listening on ${sim.url}\n`);
  if (sim.kubeconfigPath) process.stdout.write(`kubeconfig written to ${sim.kubeconfigPath}\n  kubectl --kubeconfig ${sim.kubeconfigPath} get pods -A\n`);
  const running = sim;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  return 0;
}
