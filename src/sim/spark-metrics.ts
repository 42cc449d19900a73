/**
 * What a simulated Spark driver's UI serves, byte for byte in Spark's formats:
 * - PrometheusResource (`/metrics/executors/prometheus`, core/.../status/api/v1): a `spark_info`
 *   line, then per active executor (the driver too, as executor_id="driver") the fixed list of
 *   `metrics_executor_*` lines with the labels application_id, application_name, executor_id in
 *   that order, joined by ", ", no HELP/TYPE; 4.x adds the ConcurrentGC pair.
 * - PrometheusServlet (`/metrics/prometheus`, core/.../metrics/sink): every Dropwizard metric under
 *   `metrics_<key with non-alphanumerics as _>_`, key `<spark.metrics.namespace or app id>.driver.
 *   <source>.<metric>`; gauges as `Number` and `Value` lines, counters as `Count`, label `type`.
 * Values are derived from the workload's state so panels move as the scenario plays.
 */
import type { DriverView } from './spark.js';

const REVISION_35 = 'd5b5b7e1f5e2b5e4e6f7a3b1c2d4e6f8a9b0c1d2';
const REVISION_4 = '29434ea766b0fc3c3bf6eaadb43a8f931133649e';

/** Spark 4.x (jakarta, SPARK-46886 era): the executor summary gained the concurrent GC pair. */
export function isSpark4(version: string): boolean {
  return /^[4-9]\./.test(version);
}

/** Java's Double.toString for the magnitudes Spark prints: `0.0`, `12.345`, `1.2345678E7`. */
export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant = '0', exp = '0'] = x.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

interface ExecLine {
  id: string;
  cores: number;
  activeTasks: number;
  taskMs: number;
  upMs: number;
}

/** The executor summaries of one driver, PrometheusResource format. */
export function prometheusResource(d: DriverView, now: number): string {
  const spark4 = isSpark4(d.sparkVersion);
  const short = d.sparkVersion.split('.').slice(0, 3).join('.');
  let out = `spark_info{version="${short}", revision="${spark4 ? REVISION_4 : REVISION_35}"} 1.0\n`;
  const execs: ExecLine[] = [
    { id: 'driver', cores: 0, activeTasks: 0, taskMs: 0, upMs: now - d.driverStartedAt },
    ...d.executors.map((e) => ({ id: String(e.id), cores: d.cores, activeTasks: e.activeTasks, taskMs: e.taskMs, upMs: now - e.startedAt })),
  ];
  for (const e of execs) {
    const labels = `{application_id="${d.appId}", application_name="${d.appName}", executor_id="${e.id}"}`;
    const line = (name: string, value: string) => {
      out += `metrics_executor_${name}${labels} ${value}\n`;
    };
    // Deterministic stand-ins: tasks of ~1s-equivalents, GC ~3% of task time, shuffle by task time.
    const tasks = Math.floor(e.taskMs / 60_000);
    const maxMemory = 2_147_483_648;
    const storage = Math.min(maxMemory, Math.floor(e.taskMs * 40));
    const heap = 389_543_936 + (Math.floor(e.upMs / 1000) % 97) * 1_048_576;
    const gcMs = Math.floor(e.taskMs * 0.03);
    line('rddBlocks', String(Math.floor(tasks / 10)));
    line('memoryUsed_bytes', String(storage));
    line('diskUsed_bytes', '0');
    line('totalCores', String(e.cores));
    line('maxTasks', String(e.cores));
    line('activeTasks', String(e.activeTasks));
    line('failedTasks_total', '0');
    line('completedTasks_total', String(tasks));
    line('totalTasks_total', String(tasks + e.activeTasks));
    line('totalDuration_seconds_total', javaDouble(e.taskMs * 0.001));
    line('totalGCTime_seconds_total', javaDouble(gcMs * 0.001));
    line('totalInputBytes_bytes_total', String(Math.floor(e.taskMs * 1000)));
    line('totalShuffleRead_bytes_total', String(Math.floor(e.taskMs * 250)));
    line('totalShuffleWrite_bytes_total', String(Math.floor(e.taskMs * 300)));
    line('maxMemory_bytes', String(maxMemory));
    line('usedOnHeapStorageMemory_bytes', String(storage));
    line('usedOffHeapStorageMemory_bytes', '0');
    line('totalOnHeapStorageMemory_bytes', String(maxMemory));
    line('totalOffHeapStorageMemory_bytes', '0');
    line('JVMHeapMemory_bytes', String(heap));
    line('JVMOffHeapMemory_bytes', '104857600');
    line('OnHeapExecutionMemory_bytes', String(e.activeTasks * 67_108_864));
    line('OffHeapExecutionMemory_bytes', '0');
    line('OnHeapStorageMemory_bytes', String(storage));
    line('OffHeapStorageMemory_bytes', '0');
    line('OnHeapUnifiedMemory_bytes', String(storage + e.activeTasks * 67_108_864));
    line('OffHeapUnifiedMemory_bytes', '0');
    line('DirectPoolMemory_bytes', '16777216');
    line('MappedPoolMemory_bytes', '0');
    line('ProcessTreeJVMVMemory_bytes', '0');
    line('ProcessTreeJVMRSSMemory_bytes', '0');
    line('ProcessTreePythonVMemory_bytes', '0');
    line('ProcessTreePythonRSSMemory_bytes', '0');
    line('ProcessTreeOtherVMemory_bytes', '0');
    line('ProcessTreeOtherRSSMemory_bytes', '0');
    line('MinorGCCount_total', String(Math.floor(gcMs / 20)));
    line('MajorGCCount_total', String(Math.floor(gcMs / 2000)));
    if (spark4) line('ConcurrentGCCount_total', '0');
    line('MinorGCTime_seconds_total', javaDouble(Math.floor(gcMs * 0.8) * 0.001));
    line('MajorGCTime_seconds_total', javaDouble((gcMs - Math.floor(gcMs * 0.8)) * 0.001));
    if (spark4) line('ConcurrentGCTime_seconds_total', '0.0');
  }
  return out;
}

/** `metrics_` + key with every non-alphanumeric as `_` + `_` (PrometheusServlet.normalizeKey). */
export function servletPrefix(key: string): string {
  return `metrics_${key.replace(/[^a-zA-Z0-9]/g, '_')}_`;
}

/** The driver's Dropwizard registry, PrometheusServlet format. */
export function prometheusServlet(d: DriverView): string {
  // MetricsSystem.buildRegistryName: spark.metrics.namespace, else spark.app.id; then the executor id.
  const ns = d.metricsNamespace ?? d.appId;
  let out = '';
  const gauge = (key: string, value: string) => {
    const p = servletPrefix(`${ns}.driver.${key}`);
    out += `${p}Number{type="gauges"} ${value}\n${p}Value{type="gauges"} ${value}\n`;
  };
  const counter = (key: string, value: number) => {
    out += `${servletPrefix(`${ns}.driver.${key}`)}Count{type="counters"} ${value}\n`;
  };
  const all = d.executors.length;
  const toAdd = Math.max(0, d.target - all);
  gauge('BlockManager.memory.maxMem_MB', '2048');
  gauge('BlockManager.memory.memUsed_MB', String(Math.floor(d.executors.reduce((s, e) => s + e.taskMs, 0) / 25_000) % 2048));
  gauge('DAGScheduler.job.activeJobs', all > 0 ? '1' : '0');
  gauge('DAGScheduler.stage.runningStages', d.executors.some((e) => e.activeTasks > 0) ? '1' : '0');
  gauge('DAGScheduler.stage.waitingStages', '0');
  // ExecutorAllocationManagerSource: `executors.<name>`, registered with dynamic allocation on.
  counter('ExecutorAllocationManager.executors.numberExecutorsDecommissionUnfinished', 0);
  counter('ExecutorAllocationManager.executors.numberExecutorsExitedUnexpectedly', d.exitedUnexpectedly);
  counter('ExecutorAllocationManager.executors.numberExecutorsGracefullyDecommissioned', 0);
  counter('ExecutorAllocationManager.executors.numberExecutorsKilledByDriver', d.killedByDriver);
  gauge('ExecutorAllocationManager.executors.numberAllExecutors', String(all));
  gauge('ExecutorAllocationManager.executors.numberDecommissioningExecutors', '0');
  gauge('ExecutorAllocationManager.executors.numberExecutorsPendingToRemove', '0');
  gauge('ExecutorAllocationManager.executors.numberExecutorsToAdd', String(Math.min(toAdd, 5)));
  gauge('ExecutorAllocationManager.executors.numberMaxNeededExecutors', String(d.target));
  gauge('ExecutorAllocationManager.executors.numberTargetExecutors', String(d.target));
  counter('LiveListenerBus.numEventsPosted', d.executors.length * 10);
  return out;
}
