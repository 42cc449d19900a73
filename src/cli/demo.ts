/**
 * `demo`: the simulated cluster and the exporter in one process, with a live summary per
 * namespace drawn from the exporter's own /metrics, so what a person watches is what Prometheus gets.
 * With `--prometheus` also a real Prometheus on the generated rules (see demo-prometheus.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, startExporter } from '../exporter.js';
import { makeLogger } from '../logger.js';
import { parseExposition, type ParsedExposition } from '../metrics/parse-exposition.js';
import { startSimulator, SCENARIOS } from '../sim/index.js';
import { startDemoPrometheus, type DemoPrometheus } from './demo-prometheus.js';
import { flagTable, helpText, parseFlags, UsageError, type FlagValues } from './flags.js';

const DEMO_FLAGS = flagTable([
  { name: 'scenario', type: 'enum', default: 'demo', values: SCENARIOS.filter((s) => s !== 'scale' && s !== 'empty'), help: 'Simulated workload' },
  { name: 'speed', type: 'int', default: '10', help: 'Simulated seconds per real second' },
  { name: 'seed', type: 'int', default: '1', help: 'Seed of the simulated workload (same seed, same run)' },
  { name: 'host', type: 'string', default: '127.0.0.1', help: 'Address the exporter serves on' },
  { name: 'port', type: 'int', default: '8080', help: 'Port the exporter serves on (0 picks a free one)' },
  { name: 'refresh', type: 'duration', default: '2s', help: 'How often the summary is redrawn' },
  { name: 'duration', type: 'duration', default: '0', help: 'Stop after this long (0 runs until Ctrl-C)' },
  { name: 'log-level', type: 'enum', default: 'warn', values: ['debug', 'info', 'warn', 'error'], help: 'Exporter log level (logs go to stderr)' },
  { name: 'prometheus', type: 'bool', default: 'false', help: 'Also run a real Prometheus on the generated rules, scraping the exporter and the simulated drivers' },
  { name: 'prometheus-port', type: 'int', default: '9090', min: 0, max: 65535, help: 'Port of that Prometheus' },
  { name: 'spark-version', type: 'enum', default: '3.5.1', values: ['3.5.1', '4.0.1'], help: 'Spark version of the simulated applications (their metrics formats)' },
]);

interface Row {
  namespace: string;
  team: string;
  apps: number;
  running: number;
  pending: number;
  topReason: string;
  oomKills: number;
  churn: number;
  quota: number;
}

/** One row per namespace from a scrape: the signals the demo exists to show. */
export function summarise(p: ParsedExposition): Row[] {
  const rows = new Map<string, Row>();
  const reasons = new Map<string, Map<string, number>>();
  const row = (ns: string, team = ''): Row => {
    let r = rows.get(ns);
    if (!r) rows.set(ns, (r = { namespace: ns, team, apps: 0, running: 0, pending: 0, topReason: '', oomKills: 0, churn: 0, quota: 0 }));
    if (team && !r.team) r.team = team;
    return r;
  };
  const apps = new Set<string>();
  for (const s of p.samples) {
    const ns = s.labels['namespace'];
    if (ns === undefined) continue;
    const r = row(ns, s.labels['team']);
    switch (s.name) {
      case 'spark_k8s_pods':
        apps.add(`${ns}/${s.labels['app_id']}`);
        if (s.labels['role'] === 'executor' && s.labels['phase'] === 'Running') r.running += s.value;
        break;
      case 'spark_k8s_executors_pending': {
        r.pending += s.value;
        const m = reasons.get(ns) ?? new Map<string, number>();
        m.set(s.labels['reason'] ?? '', (m.get(s.labels['reason'] ?? '') ?? 0) + s.value);
        reasons.set(ns, m);
        break;
      }
      case 'spark_k8s_container_oom_kills_total':
        r.oomKills += s.value;
        break;
      case 'spark_k8s_executor_churn_per_minute':
        r.churn += s.value;
        break;
      case 'spark_k8s_quota_saturation_ratio':
        r.quota = Math.max(r.quota, s.value);
        break;
    }
  }
  for (const a of apps) row(a.slice(0, a.indexOf('/'))).apps++;
  for (const [ns, m] of reasons) {
    const top = [...m].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])[0];
    if (top) row(ns).topReason = top[0];
  }
  return [...rows.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

export function formatSummary(rows: readonly Row[], header: string): string {
  const cols = ['NAMESPACE', 'TEAM', 'APPS', 'RUNNING', 'PENDING (top reason)', 'OOMKILLS', 'CHURN/MIN', 'QUOTA'];
  const cells = rows.map((r) => [
    r.namespace,
    r.team || '-',
    String(r.apps),
    String(r.running),
    r.pending > 0 ? `${r.pending} (${r.topReason})` : '0',
    String(r.oomKills),
    r.churn.toFixed(1),
    r.quota > 0 ? `${Math.round(r.quota * 100)}%${r.quota >= 0.85 ? ' !' : ''}` : '-',
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (vals: readonly string[]): string => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [header, line(cols), ...cells.map(line)].join('\n');
}

export async function runDemo(argv: readonly string[]): Promise<number> {
  let v: FlagValues<typeof DEMO_FLAGS>;
  try {
    const parsed = parseFlags(DEMO_FLAGS, argv, process.env);
    if (parsed.help) {
      process.stdout.write(`${helpText('demo', 'Run the exporter against the embedded simulated cluster, with a live summary.', DEMO_FLAGS)}\n`);
      return 0;
    }
    v = parsed.values;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`spark-k8s-exporter demo: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spark-k8s-demo-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const scenario = v['scenario'];
  const withPrometheus = v['prometheus'];
  const sim = await startSimulator({ scenario, speed: v['speed'], seed: v['seed'], kubeconfigOut: kubeconfig, tls: true, driverUi: withPrometheus, sparkVersion: v['spark-version'] });
  const log = makeLogger(v['log-level'], 'json');
  let exporter;
  try {
    exporter = await startExporter({ ...DEFAULT_CONFIG, kubeconfig, host: v['host'], port: v['port'], churnWindowMs: 60_000, retentionMs: 60_000 }, log);
  } catch (e) {
    await sim.close();
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`spark-k8s-exporter demo: cannot start the exporter: ${err.code === 'EADDRINUSE' ? `port ${v['port']} is in use (use --port)` : err.message}\n`);
    return 1;
  }
  let prometheus: DemoPrometheus | undefined;
  if (withPrometheus) {
    try {
      prometheus = await startDemoPrometheus({
        dir: join(dir, 'prometheus'),
        host: v['host'],
        port: v['prometheus-port'],
        speed: v['speed'],
        exporterTarget: new URL(exporter.url).host,
        driverUiUrl: sim.driverUiUrl,
        kubeletUrl: sim.url,
        kubeletToken: sim.token,
        log: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (e) {
      await exporter.stop();
      await sim.close();
      process.stderr.write(`spark-k8s-exporter demo: cannot start Prometheus: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
  const intro = [
    `spark-k8s-exporter demo: scenario "${scenario}" at ${v['speed']}x simulated speed`,
    `  metrics:    ${exporter.url}/metrics`,
    ...(prometheus
      ? [
          `  prometheus: ${prometheus.url} (alerts: ${prometheus.url}/alerts, graph: ${prometheus.url}/graph)`,
          `              rules ${prometheus.rulesFile}, windows and for durations divided by the speed`,
        ]
      : []),
    `  simulated Kubernetes API: ${sim.url} (TLS, token auth)`,
    `  kubectl:    kubectl --kubeconfig ${kubeconfig} get pods -A -l spark-role=executor`,
    '  Ctrl-C to stop.',
  ].join('\n');
  process.stdout.write(`${intro}\n\n`);
  const tty = process.stdout.isTTY === true;
  const draw = async (): Promise<void> => {
    const text = await exporter.renderer.render('prometheus');
    const simNow = new Date(sim.clock.now()).toISOString().slice(11, 19);
    const out = formatSummary(summarise(parseExposition(text)), `simulated time ${simNow}  ·  ready: ${exporter.self.ready() ? 'yes' : 'syncing'}`);
    process.stdout.write(tty ? `\x1b[H\x1b[2J${intro}\n\n${out}\n` : `${out}\n\n`);
  };
  const timer = setInterval(() => void draw(), v['refresh']);
  const running = exporter;
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const duration = v['duration'];
    if (duration > 0) setTimeout(stop, duration).unref();
  });
  clearInterval(timer);
  await draw();
  await prometheus?.stop();
  await running.stop();
  await sim.close();
  return 0;
}
