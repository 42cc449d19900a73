/** `spark-k8s-exporter simulate …`: run the simulator alone until SIGINT/SIGTERM. */
import { startSimulator } from './index.js';
import { SCENARIOS, isScenario } from './scenarios.js';

const USAGE = `usage: spark-k8s-exporter simulate --scenario NAME [--port N] [--kubeconfig-out FILE] [--speed X] [--seed S] [--tls] [--no-crd] [--pods N --apps N]
scenarios: ${SCENARIOS.join(', ')}`;

export interface SimulateArgs {
  scenario: string;
  port: number;
  kubeconfigOut: string | undefined;
  speed: number;
  seed: number;
  tls: boolean;
  crd: boolean;
  pods: number | undefined;
  apps: number | undefined;
}

/** Parses flags; returns an error message for bad input. */
export function parseSimulateArgs(argv: readonly string[]): SimulateArgs | string {
  const out: SimulateArgs = { scenario: '', port: 0, kubeconfigOut: undefined, speed: 1, seed: 1, tls: false, crd: true, pods: undefined, apps: undefined };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    const num = (name: string, v: string | undefined, integer: boolean, min: number): number | string => {
      const n = Number(v);
      if (v === undefined || v === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) return `${name} needs ${integer ? 'an integer' : 'a number'} >= ${min}, got "${v ?? ''}"`;
      return n;
    };
    switch (flag) {
      case '--scenario': {
        const v = value();
        if (!v || !isScenario(v)) return `unknown scenario "${v ?? ''}"`;
        out.scenario = v;
        break;
      }
      case '--port': {
        const n = num('--port', value(), true, 0);
        if (typeof n === 'string') return n;
        if (n > 65535) return '--port must be at most 65535';
        out.port = n;
        break;
      }
      case '--kubeconfig-out':
      case '--kubeconfig': {
        const v = value();
        if (!v) return `${flag} needs a file path`;
        out.kubeconfigOut = v;
        break;
      }
      case '--speed': {
        const n = num('--speed', value(), false, 0);
        if (typeof n === 'string') return n;
        if (n === 0) return '--speed must be positive';
        out.speed = n;
        break;
      }
      case '--seed': {
        const n = num('--seed', value(), true, 0);
        if (typeof n === 'string') return n;
        out.seed = n;
        break;
      }
      case '--pods':
      case '--apps': {
        const n = num(flag, value(), true, 1);
        if (typeof n === 'string') return n;
        if (flag === '--pods') out.pods = n;
        else out.apps = n;
        break;
      }
      case '--tls':
        out.tls = true;
        break;
      case '--no-crd':
        out.crd = false;
        break;
      default:
        return `unknown flag "${raw}"`;
    }
  }
  if (!out.scenario) return '--scenario is required';
  return out;
}

export async function runSimulate(argv: string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n${USAGE}\n`);
    return 2;
  }
  const scale = args.scenario === 'scale' ? { pods: args.pods ?? 150_000, apps: args.apps ?? Math.max(1, Math.round((args.pods ?? 150_000) / 50)) } : undefined;
  let sim;
  try {
    sim = await startSimulator({ scenario: args.scenario, port: args.port, kubeconfigOut: args.kubeconfigOut, speed: args.speed, seed: args.seed, tls: args.tls, sparkApplicationCrd: args.crd, scale });
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
