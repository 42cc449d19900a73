/**
 * `demo --prometheus`: a real Prometheus beside the demo, loaded with the generated rules and
 * scraping the exporter, the simulated kubelet's cAdvisor and the simulated drivers' UIs (through the scrape config the
 * prometheus-operator makes of the generated driver ServiceMonitor), so a newcomer can open its
 * Alerts page and watch alerts go pending and fire as the scenario plays.
 *
 * The simulated cluster runs `speed` times faster than real time, Prometheus does not: the rules
 * are generated with every window and `for` divided by the speed (at least 1s), so an alert that
 * waits 10 simulated minutes waits 10 minutes of the scenario, not of the wall clock.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { asMonitor, scrapeConfigsFor } from './scrape-config.js';

/** dist/src/cli/demo-prometheus.js → the repository root (scripts/, and the generator in dist/src/bundle). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The prometheus binary; installed by the project's tools script where missing, as the tests do. */
export function findPrometheus(log: (line: string) => void): string {
  const found = onPath('prometheus');
  if (found) return found;
  const script = join(ROOT, 'scripts/install-tools.sh');
  if (!existsSync(script)) throw new Error('prometheus is not installed and scripts/install-tools.sh is not here to install it');
  log('prometheus not found: installing it with scripts/install-tools.sh ...');
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  const after = onPath('prometheus');
  if (r.status !== 0 || !after) throw new Error('could not install prometheus (scripts/install-tools.sh failed)');
  return after;
}

/**
 * The bundle for this speed, by the repository's own generator run as a program: the generators
 * are development tools that the package and the image leave out, so the shipped demo never loads
 * them; `--prometheus` needs a checkout (`npm run demo -- --prometheus`).
 */
function generateBundle(out: string, speed: number): { rulesFile: string; driverMonitor: string } {
  const generator = join(ROOT, 'dist/src/bundle/generate.js');
  if (!existsSync(generator)) throw new Error('--prometheus needs a checkout of the repository (its bundle generator is not in the package): run npm run demo -- --prometheus there');
  const r = spawnSync(process.execPath, [generator, '--out', out, '--speed', String(speed)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`generating the bundle failed: ${r.stderr}`);
  return { rulesFile: join(out, 'alerts/spark-k8s-exporter.rules.yaml'), driverMonitor: join(out, 'servicemonitors/spark-driver.servicemonitor.yaml') };
}

export interface DemoPrometheusOptions {
  dir: string;
  host: string;
  port: number;
  speed: number;
  /** host:port of the exporter's /metrics. */
  exporterTarget: string;
  /** The simulator's driver UI server (its /sd lists the drivers). */
  driverUiUrl: string | undefined;
  /** The simulator's API server, which also serves the kubelet's /metrics/cadvisor for its pods. */
  kubeletUrl: string | undefined;
  /** Its bearer token, as kube-prometheus-stack scrapes the kubelet with the service account's. */
  kubeletToken: string | undefined;
  log: (line: string) => void;
}

export interface DemoPrometheus {
  url: string;
  rulesFile: string;
  stop(): Promise<void>;
}

/**
 * cAdvisor as kube-prometheus-stack scrapes it (job kubelet, a metrics_path label, container_spec_*
 * and pod-less cgroups dropped), so the memory-headroom rules see what they would in a cluster.
 */
function kubeletJobs(url: string | undefined, token: string | undefined): Record<string, unknown>[] {
  if (!url) return [];
  const u = new URL(url);
  return [
    {
      job_name: 'kubelet',
      scheme: u.protocol.replace(':', ''),
      ...(u.protocol === 'https:' ? { tls_config: { insecure_skip_verify: true } } : {}),
      ...(token ? { authorization: { type: 'Bearer', credentials: token } } : {}),
      honor_labels: true,
      honor_timestamps: true,
      metrics_path: '/metrics/cadvisor',
      static_configs: [{ targets: [u.host] }],
      relabel_configs: [{ source_labels: ['__metrics_path__'], target_label: 'metrics_path' }],
      metric_relabel_configs: [
        { source_labels: ['__name__'], regex: 'container_spec.*', action: 'drop' },
        { source_labels: ['id', 'pod'], regex: '.+;', action: 'drop' },
      ],
    },
  ];
}

export async function startDemoPrometheus(o: DemoPrometheusOptions): Promise<DemoPrometheus> {
  const bin = findPrometheus(o.log);
  mkdirSync(o.dir, { recursive: true });
  const { rulesFile, driverMonitor } = generateBundle(join(o.dir, 'bundle'), o.speed);
  const monitor = asMonitor(parse(readFileSync(driverMonitor, 'utf8')));
  const drivers = o.driverUiUrl
    ? scrapeConfigsFor(monitor, { discovery: { http_sd_configs: [{ url: `${o.driverUiUrl}/sd`, refresh_interval: '2s' }] }, interval: '2s' })
    : [];
  const config = {
    global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '2s' },
    rule_files: [rulesFile],
    scrape_configs: [
      // job must match the bundle's exporterSelector; honor_labels as the generated ServiceMonitor says.
      { job_name: 'spark-k8s-exporter', honor_labels: true, static_configs: [{ targets: [o.exporterTarget] }] },
      ...kubeletJobs(o.kubeletUrl, o.kubeletToken),
      ...drivers,
    ],
  };
  const configFile = join(o.dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config, { lineWidth: 0 }));
  const address = `${o.host}:${o.port}`;
  const logFile = join(o.dir, 'prometheus.log');
  const child: ChildProcess = spawn(bin, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(o.dir, 'data')}`, `--web.listen-address=${address}`, '--log.level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
  };
  // Ready, or dead (a port in use): say which, with its log.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (code ${child.exitCode}); see ${logFile}`);
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready in 30s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, rulesFile, stop };
}
