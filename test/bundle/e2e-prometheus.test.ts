/**
 * End to end on a real Prometheus: per scenario, the cluster simulator, the exporter (as a child
 * process, as users run it) and `prometheus` scraping it every second and evaluating our rules
 * (generated with short windows and `for` durations) every second. Through Prometheus' HTTP API:
 * each alert fires in the scenario meant for it, nothing fires in `steady`, and every dashboard
 * panel's queries return data in the scenario meant for it. The simulated drivers' UIs are scraped
 * too, through the scrape config the prometheus-operator would make of the generated driver
 * ServiceMonitor, so every Spark panel is asserted on Spark's 3.5 and 4.x formats.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dashboardSpecs } from '../../src/bundle/bundle.js';
import { ALERT_NAMES, type AlertName } from '../../src/bundle/alerts/index.js';
import { mergeConfig, type BundleConfig } from '../../src/bundle/config.js';
import { writeBundle } from '../../src/bundle/generate.js';
import { sparkDriverServiceMonitor } from '../../src/bundle/monitors.js';
import { scrapeConfigsFor } from '../../src/cli/scrape-config.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { QUOTA_CRUNCH_LONG } from '../../src/sim/scenarios.js';
import { REPO, tool } from './paths.js';

/** Simulated seconds per real second: minutes of Spark behaviour in seconds of test. */
const SPEED = 20;
/** Real seconds a scenario may take to show everything it promises. */
const SCENARIO_BUDGET_MS = 45_000;

const cfg: BundleConfig = mergeConfig({
  windows: { events: '1m', churn: '1m', forecast: '1m' },
  thresholds: { executorPendingAgeSeconds: 10, churnMinExits: 2 },
  // Real seconds stand in for the minutes a stuck application takes (a steady application is
  // SUBMITTED or PENDING_RERUN for a few simulated seconds only).
  applicationStuckSeconds: { SUBMITTED: 15, PENDING_RERUN: 15, DriverRequested: 15 },
  // Prometheus applies discovered targets after up to 5s: `absent(up)` is briefly true at start.
  alerts: Object.fromEntries(ALERT_NAMES.map((a) => [a, { for: a === 'SparkK8sExporterDown' ? '20s' : '3s' }])),
});

/** The panels reading Spark's own metrics (PrometheusResource and PrometheusServlet on the driver). */
const SPARK_PANELS = [
  'application/Executor task time and GC time', 'application/Executor shuffle write and read', 'application/Executor active tasks',
  'application/Executor storage memory used', 'application/Executors Spark wants and has', 'application/Executors wanted but missing, beside rejected creates',
];

/** Runs of a scenario with another Spark version than the simulator's default (3.5.1). */
const VARIANTS: Record<string, { scenario: string; sparkVersion: string }> = {
  'quota-crunch on Spark 4': { scenario: 'quota-crunch', sparkVersion: '4.0.1' },
};

/**
 * What each scenario must show. Panels not listed for any scenario are reported, not asserted.
 * `speed` overrides SPEED where a scenario's story is longer than the budget at 20×; `held`
 * keeps the workload paused until Prometheus scrapes the exporter, for a story with a timeline.
 */
const EXPECT: Record<string, { alerts: AlertName[]; panels: string[]; speed?: number; held?: boolean; budgetMs?: number }> = {
  steady: {
    alerts: [],
    panels: [
      'overview/SparkApplications by state', 'overview/Executor exits by reason', 'overview/Quota saturation heat',
      'applications/Applications by state and operator',
      'application/Pods by role and phase', 'application/Executor startup latency', 'application/Executor memory overhead ratio',
      'quotas/CPU used vs hard', 'quotas/Memory used vs hard', 'quotas/Pods used vs hard', 'quotas/Quota saturation',
      'quotas/Quotas nearly full', 'quotas/Executor headroom by application',
      'exporter/Up', 'exporter/Watches synced', 'exporter/Time since last watch event', 'exporter/Watch events',
      'exporter/Watch restarts and lists', 'exporter/Metrics render duration', 'exporter/Scrape duration and samples',
      'exporter/Tracked objects and applications', 'exporter/Resident memory', 'exporter/CPU',
    ],
  },
  oom: {
    alerts: ['SparkExecutorOOMKilled', 'SparkDriverOOMKilled', 'SparkExecutorMemoryOverheadLow', 'SparkExecutorMemoryNearLimit'],
    panels: [
      'overview/OOMKills by team and application', 'overview/Top applications by OOMKills', 'application/OOMKills',
      'application/Working set vs limit per executor', 'application/Executor memoryOverhead: recommended vs current', 'overview/Applications closest to their memory limit',
    ],
  },
  'quota-crunch': {
    alerts: ['SparkNamespaceQuotaNearlyFull', 'SparkExecutorCreatesRejected', 'SparkExecutorsBelowTarget'],
    panels: ['application/Skipped executor ids and quota headroom', 'quotas/Executors missing and headroom by application', 'quotas/Skipped executor ids by application', ...SPARK_PANELS],
  },
  // 30 simulated minutes of a full quota in 18 s. Not faster: the exporter judges an id's
  // plausibility in real seconds (1000 + 100/s since the previous id), and 1800 burned ids need 8.
  'quota-crunch-long': {
    alerts: ['SparkExecutorsBlockedByQuota', 'SparkExecutorCreatesRejected'],
    panels: ['quotas/Executors missing and headroom by application', 'quotas/Skipped executor ids by application'],
    speed: 100,
    held: true,
    // About 35 s here (18 s of crunch, then the rejected alert's grace and `for`); room for a slow machine.
    budgetMs: 75_000,
  },
  'quota-crunch on Spark 4': {
    alerts: ['SparkExecutorsBelowTarget'],
    panels: SPARK_PANELS,
  },
  churn: {
    alerts: ['SparkExecutorChurnHigh', 'SparkExecutorIdleTimeoutTooLow', 'SparkDynamicAllocationWithoutShuffleTracking'],
    panels: [
      'overview/Executor churn', 'overview/Average executor lifetime', 'overview/Top applications by executor churn', 'application/Executor lifetime distribution',
      'application/Dynamic-allocation settings', 'application/Executor lifetime vs idle timeout', 'application/Executor startup p90 vs minExecutors',
    ],
  },
  'spot-preemption': {
    alerts: ['SparkDriverOnSpotCapacity'],
    panels: ['overview/Drivers on spot capacity'],
  },
  stuck: {
    alerts: ['SparkApplicationStuck'],
    panels: ['applications/Stuck applications'],
  },
  retries: {
    alerts: ['SparkApplicationFailed'],
    panels: ['applications/Final failures by reason', 'applications/Failed applications', 'applications/Retries by application'],
  },
  schedule: {
    alerts: ['SparkScheduledApplicationRunFailed', 'SparkScheduledApplicationMissedRun'],
    panels: ['applications/Next run due in', 'applications/Time since last run', 'applications/Time since last success', 'applications/Last run state and suspended schedules'],
  },
  'image-pull': {
    alerts: ['SparkExecutorImagePullBackOff', 'SparkExecutorsPendingTooLong'],
    panels: ['application/Pending executors by reason', 'overview/Oldest pending executor', 'overview/Pending executors by namespace and reason', 'overview/Top applications by pending executors'],
  },
};

/**
 * oom: when SparkExecutorMemoryNearLimit first fired and when the first executor OOMKill was first
 * counted (unix seconds, from Prometheus' own history), and each pyspark app's recommended and
 * current memoryOverhead (bytes).
 */
async function measureOom(prom: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const first = async (expr: string) => (await values(prom, `min(min_over_time(timestamp(${expr})[15m:1s]))`, '')).get('');
  out.set('nearLimitFiring', (await first('ALERTS{alertname="SparkExecutorMemoryNearLimit", alertstate="firing"}')) ?? NaN);
  out.set('firstOomCounted', (await first('sum(max without(instance, pod) (spark_k8s_executor_exits_total{reason="oom_killed"})) > 0')) ?? NaN);
  // Per run (app_id): a resubmitted application starts its history afresh.
  for (const [app, v] of await values(prom, 'namespace_team_app:spark_k8s_executor_memory_overhead_recommended_bytes:max6h', 'app_id')) out.set(`recommended ${app}`, v);
  for (const [app, v] of await values(prom, 'namespace_team_app:spark_k8s_executor_memory_overhead_bytes:max', 'app_id')) out.set(`current ${app}`, v);
  for (const [app, v] of await values(prom, 'namespace_team_app_role:spark_k8s_container_memory_limit_usage:max6h{role="executor"}', 'app_id')) out.set(`peak ${app}`, v);
  return out;
}

const MEASURE: Record<string, (prom: string) => Promise<Map<string, number>>> = { oom: measureOom };

/** What the oom run proves beyond "it fired": the warning comes first, and the advice is a raise. */
function assertOomAdvice(measured: Map<string, number>): void {
  const firing = measured.get('nearLimitFiring') ?? NaN;
  const oom = measured.get('firstOomCounted') ?? NaN;
  assert.ok(Number.isFinite(firing) && Number.isFinite(oom), `near-limit firing at ${firing}, first OOMKill counted at ${oom}`);
  const lead = oom - firing;
  process.stdout.write(`# oom: SparkExecutorMemoryNearLimit fired ${lead.toFixed(1)} s before the first OOMKill was counted (${(lead * SPEED).toFixed(0)} simulated seconds)\n`);
  assert.ok(lead > 0, `SparkExecutorMemoryNearLimit must fire before the first OOMKill (lead ${lead} s)`);
  // Past limit / (1 + margin) the observed peak plus the margin exceeds the limit: the advice must be a raise.
  const raiseFrom = 1 / (1 + cfg.advice.memoryOverheadMargin);
  const runs = [...measured.keys()].filter((k) => k.startsWith('recommended ')).map((k) => k.slice('recommended '.length));
  let near = 0;
  for (const app of runs) {
    const rec = measured.get(`recommended ${app}`) ?? NaN;
    const cur = measured.get(`current ${app}`) ?? NaN;
    const peak = measured.get(`peak ${app}`) ?? NaN;
    process.stdout.write(`# oom: ${app} peak ${(peak * 100).toFixed(1)}% of the limit, memoryOverhead recommended ${rec / 1048576} MiB, current ${cur / 1048576} MiB\n`);
    if (!(peak > raiseFrom)) continue;
    near++;
    assert.ok(rec > cur, `${app}: recommended ${rec} must exceed current ${cur}`);
  }
  assert.ok(near > 0, `some run came near its limit: ${[...measured].join(', ')}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'bundle-e2e-'));
const children = new Set<ChildProcess>();
// Also on abrupt exit (a runner timeout): never leave a Prometheus or exporter behind.
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function startChild(bin: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(bin, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => chunks.push(b));
  child.stderr?.on('data', (b: Buffer) => chunks.push(b));
  child.on('exit', () => {
    children.delete(child);
    writeFileSync(logFile, Buffer.concat(chunks));
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, deadline: number, probe: () => Promise<boolean>): Promise<void> {
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Firing alerts from /api/v1/alerts: name → the description of one of its instances. */
async function firing(prom: string): Promise<Map<string, string>> {
  const body = await getJson(`${prom}/api/v1/alerts`);
  const alerts = field(field(body, 'data'), 'alerts');
  const out = new Map<string, string>();
  if (!Array.isArray(alerts)) return out;
  for (const a of alerts) {
    const name = field(field(a, 'labels'), 'alertname');
    const description = field(field(a, 'annotations'), 'description');
    if (field(a, 'state') === 'firing' && typeof name === 'string') out.set(name, typeof description === 'string' ? description : '');
  }
  return out;
}

/** Values of an instant query, by one label's value. */
async function values(prom: string, expr: string, label: string): Promise<Map<string, number>> {
  const body = await getJson(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const result = field(field(body, 'data'), 'result');
  const out = new Map<string, number>();
  if (!Array.isArray(result)) return out;
  for (const r of result) {
    const v = field(r, 'value');
    const key = field(field(r, 'metric'), label);
    if (Array.isArray(v)) out.set(typeof key === 'string' ? key : '', Number(v[1]));
  }
  return out;
}

/** Number of series an instant query returns. */
async function resultCount(prom: string, expr: string): Promise<number> {
  const body = await getJson(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (field(body, 'status') !== 'success') throw new Error(`query failed: ${expr}`);
  const result = field(field(body, 'data'), 'result');
  return Array.isArray(result) ? result.length : 0;
}

/** A panel query as Grafana would send it with every variable on All. */
function asSent(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '30s')
    .replace(/\$__interval|\$__range/g, '30s')
    .replace(/"\$(namespace|team|app|app_id|instance|cluster)"/g, '".*"');
}

const panels = new Map<string, string[]>();
for (const d of dashboardSpecs(cfg)) for (const r of d.rows) for (const p of r.panels) panels.set(`${d.slug}/${p.title}`, p.queries.map((q) => asSent(q.expr)));

interface ScenarioRun {
  fired: Set<string>;
  /** One firing instance's description per alert. */
  descriptions: Map<string, string>;
  withData: Set<string>;
  /** Simulated seconds from the start at which each alert was first seen firing. */
  firstFiringS: Map<string, number>;
  driverTargets: number;
  strayTargets: number;
  /** What `after` measured on the scenario's Prometheus before it stopped. */
  measured: Map<string, number>;
}

async function runScenario(run: string, rulesFile: string, after?: (prom: string) => Promise<Map<string, number>>): Promise<ScenarioRun> {
  const { scenario, sparkVersion } = VARIANTS[run] ?? { scenario: run, sparkVersion: undefined };
  const dir = join(tmp, run.replace(/\W+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const kubeconfig = join(dir, 'kubeconfig');
  let sim: RunningSimulator | undefined;
  let exporter: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  try {
    const want = EXPECT[run] ?? { alerts: [], panels: [] };
    sim = await startSimulator({ scenario, speed: want.speed ?? SPEED, seed: 7, kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 2, driverUi: true, sparkVersion });
    if (want.held) sim.pause();
    // The drivers, discovered as Kubernetes endpoints and selected as the generated monitor says.
    const drivers = scrapeConfigsFor(sparkDriverServiceMonitor(cfg), { discovery: { http_sd_configs: [{ url: `${sim.driverUiUrl ?? ''}/sd`, refresh_interval: '1s' }] }, interval: '1s' });
    const exporterPort = await freePort();
    // Gzip on: Prometheus asks for it on every scrape, so its scrapes here take the gzipped path (the
    // demo's Prometheus test takes the plain one).
    exporter = startChild(process.execPath, ['dist/src/cli/main.js', 'serve', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', String(exporterPort), '--log-format', 'json', '--churn-window', '1m', '--retention', '10m', '--executor-id-grace', '2s', '--enable-gzip-encoding'], join(dir, 'exporter.log'));
    const deadline = Date.now() + (want.budgetMs ?? SCENARIO_BUDGET_MS);
    await waitFor('exporter /readyz', deadline, async () => (await fetch(`http://127.0.0.1:${exporterPort}/readyz`, { signal: AbortSignal.timeout(2000) })).ok);

    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}',
        `rule_files: [${JSON.stringify(rulesFile)}]`,
        'scrape_configs:',
        '  - job_name: spark-k8s-exporter',
        '    honor_labels: true',
        `    static_configs: [{targets: ["127.0.0.1:${exporterPort}"]}]`,
        // The simulator's kubelet, scraped as kube-prometheus-stack scrapes cAdvisor: job kubelet,
        // a metrics_path label, the kubelet's labels and timestamps honoured, and its default
        // metric relabelings (container_spec_* and cgroups without a pod dropped), so the memory
        // limit must come from the exporter.
        '  - job_name: kubelet',
        '    honor_labels: true',
        '    honor_timestamps: true',
        '    metrics_path: /metrics/cadvisor',
        `    static_configs: [{targets: [${JSON.stringify(new URL(sim.url).host)}]}]`,
        '    relabel_configs: [{source_labels: [__metrics_path__], target_label: metrics_path}]',
        '    metric_relabel_configs:',
        "      - {source_labels: [__name__], regex: 'container_spec.*', action: drop}",
        "      - {source_labels: [id, pod], regex: '.+;', action: drop}",
        ...drivers.map((d) => `  - ${JSON.stringify(d)}`),
        '',
      ].join('\n'),
    );
    prometheus = startChild(tool('prometheus'), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], join(dir, 'prometheus.log'));
    const prom = `http://127.0.0.1:${promPort}`;
    await waitFor('prometheus ready', deadline, async () => (await fetch(`${prom}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok);

    if (want.held) await waitFor('the first scrape', deadline, async () => (await resultCount(prom, `up{job="spark-k8s-exporter"} == 1`)) > 0);
    sim.resume();
    // Simulated time the workload has run: the sim is paused only before this point.
    const simStart = sim.clock.now();
    const fired = new Set<string>();
    const firstFiringS = new Map<string, number>();
    const descriptions = new Map<string, string>();
    const withData = new Set<string>();
    // steady has nothing to wait for: watch it for a fixed stretch and collect whatever shows.
    const stopAt = scenario === 'steady' ? Date.now() + 25_000 : deadline;
    while (Date.now() < stopAt) {
      const simS = (sim.clock.now() - simStart) / 1000;
      for (const [a, description] of await firing(prom).catch(() => new Map<string, string>())) {
        fired.add(a);
        if (!descriptions.has(a)) descriptions.set(a, description);
        if (!firstFiringS.has(a)) firstFiringS.set(a, simS);
      }
      for (const [key, exprs] of panels) {
        if (withData.has(key)) continue;
        const counts = await Promise.all(exprs.map((e) => resultCount(prom, e).catch(() => 0)));
        if (counts.some((c) => c > 0)) withData.add(key);
      }
      const done = want.alerts.every((a) => fired.has(a)) && want.panels.every((p) => withData.has(p));
      if (done && scenario !== 'steady') break;
      await sleep(1000);
    }
    // The UI port of every driver Service was kept; its other ports (pointing nowhere) were dropped.
    const driverTargets = await resultCount(prom, 'up{endpoint="spark-ui"}');
    const strayTargets = await resultCount(prom, 'up{instance="127.0.0.1:1"}');
    const measured = after ? await after(prom) : new Map<string, number>();
    return { fired, descriptions, withData, firstFiringS, driverTargets, strayTargets, measured };
  } finally {
    if (prometheus) await stopChild(prometheus);
    if (exporter) await stopChild(exporter);
    await sim?.close();
  }
}

describe('bundle on a real Prometheus', { timeout: 8 * 60_000 }, () => {
  const out = join(tmp, 'bundle');
  writeBundle(cfg, out);
  const rulesFile = join(out, 'alerts/spark-k8s-exporter.rules.yaml');
  const seen = new Map<string, Set<string>>();
  const firedBy = new Map<string, Set<string>>();

  // E2E_SCENARIOS=oom,churn runs a subset while debugging; the full run is the default.
  const only = process.env.E2E_SCENARIOS?.split(',');
  for (const scenario of Object.keys(EXPECT).filter((s) => !only || only.includes(s))) {
    it(`${scenario}: the alerts and panels meant for it`, { timeout: (EXPECT[scenario]?.budgetMs ?? SCENARIO_BUDGET_MS) + 30_000 }, async () => {
      const want = EXPECT[scenario] ?? { alerts: [], panels: [] };
      const { fired, descriptions, withData, firstFiringS, driverTargets, strayTargets, measured } = await runScenario(scenario, rulesFile, MEASURE[scenario]);
      firedBy.set(scenario, fired);
      for (const p of withData) (seen.get(p) ?? seen.set(p, new Set()).get(p))?.add(scenario);
      const missingAlerts = want.alerts.filter((a) => !fired.has(a));
      const missingPanels = want.panels.filter((p) => !withData.has(p));
      assert.deepEqual({ missingAlerts, missingPanels }, { missingAlerts: [], missingPanels: [] }, `fired: ${[...fired].join(', ')}`);
      if (scenario === 'quota-crunch-long') {
        // The blocked alert speaks while the quota is full; the rejected one only once a later
        // executor confirms the burned ids, i.e. after the quota is raised.
        const blocked = firstFiringS.get('SparkExecutorsBlockedByQuota') ?? Infinity;
        const rejected = firstFiringS.get('SparkExecutorCreatesRejected') ?? -Infinity;
        assert.ok(blocked < QUOTA_CRUNCH_LONG.fullForS, `SparkExecutorsBlockedByQuota first fired at simulated ${blocked} s, the quota was raised at ${QUOTA_CRUNCH_LONG.fullForS} s`);
        assert.ok(rejected >= QUOTA_CRUNCH_LONG.fullForS, `SparkExecutorCreatesRejected first fired at simulated ${rejected} s, before the quota was raised at ${QUOTA_CRUNCH_LONG.fullForS} s`);
        process.stdout.write(`# quota-crunch-long: blocked fired at ${Math.round(blocked)} s, rejected at ${Math.round(rejected)} s (quota raised at ${QUOTA_CRUNCH_LONG.fullForS} s)\n`);
      }
      if (scenario === 'steady') assert.deepEqual([...fired].filter((a) => a.startsWith('Spark')), [], 'steady must stay quiet');
      if (scenario === 'oom') assertOomAdvice(measured);
      if (scenario === 'churn') {
        const d = descriptions.get('SparkExecutorIdleTimeoutTooLow') ?? '';
        process.stdout.write(`# churn: ${d}\n`);
        assert.match(d, /executorIdleTimeout is 15s:/, 'names the current value');
        assert.match(d, /Set spark\.dynamicAllocation\.executorIdleTimeout=300s\.$/, 'recommends 300s');
      }
      assert.equal(strayTargets, 0, 'the monitor kept a driver Service port other than spark-ui');
      if (want.panels.some((p) => SPARK_PANELS.includes(p))) assert.ok(driverTargets > 0, 'no driver UI was scraped through the generated ServiceMonitor');
    });
  }

  it('every panel meant to have data got some somewhere', () => {
    const expected = new Set(Object.values(EXPECT).flatMap((e) => e.panels));
    const unassigned = [...panels.keys()].filter((p) => !expected.has(p));
    // Reported so a reader sees what this test does not cover.
    process.stdout.write(`# panels with data: ${[...seen.keys()].length}/${panels.size}; not asserted: ${unassigned.join('; ')}\n`);
    for (const p of unassigned) assert.match(p, /Time to exhaustion|Rejected objects|SparkApplications|Quota|Drivers lost/, `${p} is asserted nowhere`);
  });
});
