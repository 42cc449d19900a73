/** Named scenarios: the cluster layout and workload each one builds, and the signals it promises. */
import type { Cluster } from './cluster.js';
import type { ApacheEntry, Lifecycle } from './lifecycle.js';
import type { AppConfig, SparkWorkload } from './spark.js';
import { buildLimitRange, buildNamespace, buildQuota, type NodeSpecIn } from './objects.js';

export const SCENARIOS = ['steady', 'oom', 'quota-crunch', 'quota-crunch-long', 'churn', 'spot-preemption', 'image-pull', 'stuck', 'retries', 'schedule', 'demo', 'scale', 'empty'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenario(s: string): s is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(s);
}

const IMAGE = 'apache/spark:3.5.1-scala2.12-java17-ubuntu';
const BAD_IMAGE = 'registry.example.com/spark/etl:3.5.1-rc0';

function base(overrides: Partial<AppConfig> & Pick<AppConfig, 'name' | 'namespace'>): AppConfig {
  return {
    team: undefined, labelTeam: true, operator: false, heapMiB: 4096, overheadMiB: 1024, cores: 2, minExecutors: 1, maxExecutors: 8,
    idleTimeoutS: 600, stages: 8, tasksPerStage: 64, taskSeconds: 60, stageGapS: [20, 60], oomProbability: 0, errorProbability: 0,
    driverOomProbability: 0, image: IMAGE, tolerateSpot: false, retries: 2, startAfterS: 0, repeatAfterS: 120, ...overrides,
  };
}

function nodePool(cluster: Cluster, pool: NodeSpecIn['pool'], count: number, cpu: number, memoryMiB: number, startIp: number): void {
  for (let i = 0; i < count; i++) {
    const zone = ['us-central1-a', 'us-central1-b', 'us-central1-c'][i % 3] ?? 'us-central1-a';
    cluster.addNode({ name: `gke-spark-${pool}-${cluster.prng.hex(8)}-${cluster.prng.hex(4)}`, pool, cpu, memoryMiB, zone, instanceType: pool === 'gpu' ? 'g2-standard-16' : 'n2-highmem-16', internalIP: `10.128.${startIp}.${i + 2}` });
  }
}

function namespace(cluster: Cluster, name: string, team: string | undefined, quota: Record<string, string> | undefined): void {
  cluster.store.put('namespaces', buildNamespace(name, team, cluster.now, cluster.uid()));
  if (quota) cluster.createObject('resourcequotas', buildQuota(name, `${name}-compute`, quota, cluster.now, cluster.uid()));
  cluster.store.put('limitranges', buildLimitRange(name, cluster.now, cluster.uid()));
}

/**
 * `quota-crunch-long`: an application whose floor the namespace quota cannot hold, for half an
 * hour, until an administrator raises the quota. Exported for the tests that check what happens
 * during and after.
 */
export const QUOTA_CRUNCH_LONG = {
  namespace: 'reporting',
  quota: 'reporting-compute',
  app: 'ledger-close',
  /** Simulated seconds of workload (paused time excluded) until the quota is raised. */
  fullForS: 1800,
  /** Executors the application's SparkApplication asks for (minExecutors). */
  floor: 6,
} as const;

const ROOMY = { 'requests.cpu': '400', 'requests.memory': '2Ti', pods: '1000' };

/** Builds the scenario's cluster and registers its workload. */
export function buildScenario(name: ScenarioName, cluster: Cluster, spark: SparkWorkload, life: Lifecycle): void {
  namespace(cluster, 'default', undefined, undefined);
  namespace(cluster, 'kube-system', undefined, undefined);
  switch (name) {
    case 'empty':
      nodePool(cluster, 'on-demand', 3, 16, 131072, 0);
      return;
    case 'scale':
      return; // populated by the scale builder
    case 'steady':
      nodePool(cluster, 'on-demand', 10, 16, 131072, 0);
      namespace(cluster, 'analytics', 'analytics', ROOMY);
      namespace(cluster, 'ml', 'ml', ROOMY);
      for (let i = 0; i < 4; i++) {
        spark.addApp(base({ name: `daily-aggregates-${i}`, namespace: i % 2 ? 'ml' : 'analytics', team: i % 2 ? 'ml' : 'analytics', operator: i % 2 === 0, stages: 30, tasksPerStage: 48, taskSeconds: 90, idleTimeoutS: 900, minExecutors: 2, maxExecutors: 6, stageGapS: [10, 40], startAfterS: i * 5, repeatAfterS: 60 }));
      }
      return;
    case 'oom':
      nodePool(cluster, 'on-demand', 8, 16, 131072, 0);
      namespace(cluster, 'etl', 'data-eng', ROOMY);
      // 8g heap with the 384Mi overhead floor forced by hand: PySpark workers need far more.
      for (let i = 0; i < 3; i++) spark.addApp(base({ name: `pyspark-join-${i}`, namespace: 'etl', team: 'data-eng', heapMiB: 8192, overheadMiB: 384, cores: 4, maxExecutors: 10, oomProbability: 0.5, driverOomProbability: i === 0 ? 0.5 : 0, operator: i === 1, startAfterS: i * 3 }));
      spark.addApp(base({ name: 'healthy-etl', namespace: 'etl', team: 'data-eng', operator: false }));
      return;
    case 'quota-crunch':
      nodePool(cluster, 'on-demand', 10, 16, 131072, 0);
      namespace(cluster, 'reporting', 'finance', { 'requests.cpu': '40', 'requests.memory': '62Gi', pods: '40' });
      namespace(cluster, 'ads', 'ads', { cpu: '48', memory: '100Gi', pods: '60' });
      // A short extract that takes quota first and gives it back when it ends: real quotas free up
      // as other work finishes, and only then does a later executor id reveal the ids Spark burned.
      spark.addApp(base({ name: 'hourly-extract', namespace: 'reporting', team: 'finance', maxExecutors: 4, stages: 3, tasksPerStage: 16, taskSeconds: 40, stageGapS: [5, 10], repeatAfterS: 300 }));
      // month-end-0 runs under the operator with its monitoring block, which sets
      // spark.metrics.namespace=<namespace>.<name>: its servlet names carry no app id.
      for (let i = 0; i < 2; i++) spark.addApp(base({ name: `month-end-${i}`, namespace: 'reporting', team: 'finance', maxExecutors: 20, tasksPerStage: 200, stages: 20, operator: i === 0, startAfterS: 10 + i * 2, ...(i === 0 ? { metricsNamespace: 'reporting.month-end-0' } : {}) }));
      spark.addApp(base({ name: 'bidder-features', namespace: 'ads', team: 'ads', heapMiB: 8192, overheadMiB: 2048, maxExecutors: 30, tasksPerStage: 300, stages: 20 }));
      return;
    case 'quota-crunch-long': {
      const L = QUOTA_CRUNCH_LONG;
      nodePool(cluster, 'on-demand', 10, 16, 131072, 0);
      // The driver (2.5Gi) and two executors (5Gi each) fit in 14Gi; the four more the floor asks
      // for do not, so Spark retries one create per allocation round (a burned id each) until the
      // quota is raised to room for all six.
      const hard = { 'requests.cpu': '40', 'requests.memory': '14Gi', pods: '40' };
      namespace(cluster, L.namespace, 'finance', hard);
      spark.after(L.fullForS, () => cluster.setQuotaHard(L.namespace, L.quota, { ...hard, 'requests.memory': '40Gi' }));
      spark.addApp(base({ name: L.app, namespace: L.namespace, team: 'finance', operator: true, minExecutors: L.floor, maxExecutors: L.floor, stages: 40, tasksPerStage: 64, taskSeconds: 60, stageGapS: [5, 15], repeatAfterS: undefined }));
      return;
    }
    case 'churn':
      nodePool(cluster, 'on-demand', 10, 16, 131072, 0);
      namespace(cluster, 'streaming', 'platform', ROOMY);
      // idleTimeout far below the gap between micro-batches: executors die between stages. Two run
      // under the operator, so their SparkApplications show the 15s idle timeout that causes it;
      // one of them turned shuffle tracking off, so scale-down loses its shuffle files too.
      for (let i = 0; i < 3; i++) spark.addApp(base({ name: `bursty-batch-${i}`, namespace: 'streaming', team: 'platform', operator: i < 2, shuffleTracking: i === 1 ? false : undefined, idleTimeoutS: 15, stages: 200, tasksPerStage: 40, taskSeconds: 30, stageGapS: [45, 120], minExecutors: 0, maxExecutors: 10, startAfterS: i * 4 }));
      return;
    case 'spot-preemption':
      nodePool(cluster, 'on-demand', 3, 16, 131072, 0);
      nodePool(cluster, 'spot', 8, 16, 131072, 1);
      namespace(cluster, 'batch', 'batch', ROOMY);
      for (let i = 0; i < 4; i++) spark.addApp(base({ name: `nightly-rollup-${i}`, namespace: 'batch', team: 'batch', tolerateSpot: true, stages: 40, maxExecutors: 10, startAfterS: i * 2 }));
      // One job copied its executors' spot toleration onto its driver: a reclaim fails the whole app.
      spark.addApp(base({ name: 'adhoc-backfill', namespace: 'batch', team: 'batch', tolerateSpot: true, driverOnSpot: true, stages: 40, maxExecutors: 6, startAfterS: 1 }));
      spark.setSpotPolicy({ everyS: 240, replaceAfterS: 120, nodeTemplate: { pool: 'spot', cpu: 16, memoryMiB: 131072, zone: 'us-central1-b', instanceType: 'n2-highmem-16' } });
      return;
    case 'image-pull':
      nodePool(cluster, 'on-demand', 8, 16, 131072, 0);
      namespace(cluster, 'ingest', 'ingest', ROOMY);
      cluster.imagePullFailure.set(BAD_IMAGE, 1);
      cluster.imagePullFailure.set(IMAGE, 0.3);
      spark.addApp(base({ name: 'ingest-broken-tag', namespace: 'ingest', team: 'ingest', executorImage: BAD_IMAGE, maxExecutors: 6 }));
      spark.addApp(base({ name: 'ingest-flaky-registry', namespace: 'ingest', team: 'ingest', maxExecutors: 8 }));
      return;
    case 'stuck':
      nodePool(cluster, 'on-demand', 4, 16, 131072, 0);
      namespace(cluster, 'ingest', 'ingest', ROOMY);
      cluster.imagePullFailure.set(BAD_IMAGE, 1);
      // Left SUBMITTED while its driver backs off on an image pull (spark-operator #1737, #2667).
      spark.addApp(base({ name: 'ingest-stuck', namespace: 'ingest', team: 'ingest', operator: true, image: BAD_IMAGE, repeatAfterS: undefined }));
      // Left PENDING_RERUN: the old attempt's resources never went away, so no driver is created.
      life.kubeflowApp('ingest', 'rerun-stuck', 'ingest', { type: 'OnFailure', onFailureRetries: 3 }, life.kubeflowState('PENDING_RERUN', { submissionAttempts: 1, executionAttempts: 1 }));
      // Apache: the driver was requested and never appeared.
      life.apacheApp('ingest', 'pi-stuck', 'ingest', 'Never');
      life.apacheSteps('ingest', 'pi-stuck', [[1, () => life.apacheStatus([['Submitted', 0], ['DriverRequested', 1, 'Requested driver from resource scheduler.']], 0, 0, undefined)]]);
      return;
    case 'retries': {
      nodePool(cluster, 'on-demand', 2, 16, 131072, 0);
      namespace(cluster, 'etl', 'data-eng', ROOMY);
      // Everything starts 300 simulated seconds in: after an exporter (and a Prometheus) started with
      // the simulator have listed, so the failures and retries happen where they are counted.
      const T = 300;
      const onFailure = { type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 5, onSubmissionFailureRetries: 0 };
      // OnFailure with retries: two failed attempts, then success (FAILING → PENDING_RERUN → SUBMITTED).
      life.kubeflowApp('etl', 'etl-retry', 'data-eng', onFailure, life.kubeflowState(''), {}, 0);
      const error = 'driver container failed with ExitCode: 1, Reason: Error';
      const attempt = (n: number, from: number, ok: boolean): Array<readonly [number, Record<string, unknown>]> => {
        const c = { submissionID: `sub-${n}`, submissionAttempts: n, executionAttempts: n };
        const out: Array<readonly [number, Record<string, unknown>]> = [
          [from, life.kubeflowState('SUBMITTED', { ...c, lastSubmissionAttemptTime: life.iso(from), sparkApplicationId: `spark-${'0'.repeat(31)}${n}` })],
          [from + 4, life.kubeflowState('RUNNING', { ...c, lastSubmissionAttemptTime: life.iso(from), sparkApplicationId: `spark-${'0'.repeat(31)}${n}` })],
        ];
        if (ok) {
          out.push([from + 15, life.kubeflowState('SUCCEEDING', { ...c, terminationTime: life.iso(from + 15) })]);
          out.push([from + 17, life.kubeflowState('COMPLETED', { ...c, terminationTime: life.iso(from + 15) })]);
        } else {
          out.push([from + 15, life.kubeflowState('FAILING', { ...c, terminationTime: life.iso(from + 15) }, error)]);
          out.push([from + 20, life.kubeflowState('PENDING_RERUN', c)]);
        }
        return out;
      };
      life.kubeflowSteps('etl', 'etl-retry', [...attempt(1, T + 1, false), ...attempt(2, T + 25, false), ...attempt(3, T + 50, true)]);
      life.record(T + 25, (t) => t.retry('etl', 'etl-retry', 'kubeflow'));
      life.record(T + 50, (t) => t.retry('etl', 'etl-retry', 'kubeflow'));
      // No retries configured: SUBMISSION_FAILED, then FAILED, fails once.
      life.kubeflowApp('etl', 'etl-submit', 'data-eng', { type: 'Never' }, life.kubeflowState(''), {}, 0);
      const submitError = 'failed to run spark-submit for SparkApplication etl/etl-submit: exit status 1';
      life.kubeflowSteps('etl', 'etl-submit', [
        [T + 2, life.kubeflowState('SUBMISSION_FAILED', { submissionAttempts: 1, lastSubmissionAttemptTime: life.iso(T + 2) }, submitError)],
        [T + 8, life.kubeflowState('FAILED', { submissionAttempts: 1, lastSubmissionAttemptTime: life.iso(T + 2), terminationTime: life.iso(T + 8) }, submitError)],
      ]);
      life.record(T + 8, (t) => t.failure('etl', 'etl-submit', 'FAILED', 'submission_failed', 'kubeflow'));
      // Apache OnFailure, maxRestartAttempts 1: a failed attempt restarted, then a final OOMKill.
      life.apacheApp('etl', 'pi-retry', 'data-eng', 'OnFailure');
      const msg = 'Driver has one or more failed critical container(s), refer last observed status for details.';
      const exit1 = { phase: 'Failed', containerStatuses: [{ name: 'spark-kubernetes-driver', state: { terminated: { exitCode: 1, reason: 'Error' } } }] };
      const oom = { phase: 'Failed', containerStatuses: [{ name: 'spark-kubernetes-driver', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] };
      const first: ApacheEntry[] = [['Submitted', 0], ['DriverRequested', T + 1], ['DriverStarted', T + 3], ['DriverReady', T + 4], ['RunningHealthy', T + 5]];
      const failedFirst: ApacheEntry[] = [...first, ['Failed', T + 20, msg, exit1]];
      const second: ApacheEntry[] = [['ScheduledToRestart', T + 21], ['DriverRequested', T + 52], ['DriverStarted', T + 54], ['RunningHealthy', T + 56]];
      life.apacheSteps('etl', 'pi-retry', [
        [T + 5, () => life.apacheStatus(first, 0, 0, undefined)],
        [T + 20, () => life.apacheStatus(failedFirst, 0, 0, undefined)],
        [T + 21, () => life.apacheStatus(second.slice(0, 1), 1, 1, failedFirst)],
        [T + 56, () => life.apacheStatus(second, 1, 1, failedFirst)],
        [T + 70, () => life.apacheStatus([...second, ['Failed', T + 70, msg, oom]], 1, 1, failedFirst)],
        [T + 71, () => life.apacheStatus([...second, ['Failed', T + 70, msg, oom], ['ResourceReleased', T + 71, 'The maximum number of restart attempts (1) has been exceeded.']], 1, 1, failedFirst)],
      ]);
      life.record(T + 21, (t) => t.retry('etl', 'pi-retry', 'apache'));
      life.record(T + 71, (t) => t.failure('etl', 'pi-retry', 'Failed', 'driver_oom_killed', 'apache'));
      return;
    }
    case 'schedule': {
      nodePool(cluster, 'on-demand', 2, 16, 131072, 0);
      namespace(cluster, 'reporting', 'finance', ROOMY);
      const run = { 'sparkoperator.k8s.io/scheduled-app-name': 'hourly-report' };
      // A run every 2 minutes; the last one succeeded, the next one (due at 20s) fails.
      life.kubeflowApp('reporting', 'hourly-report-1', 'finance', { type: 'Never' }, life.kubeflowState('COMPLETED', { submissionAttempts: 1, executionAttempts: 1, terminationTime: life.iso(-40) }), run, 100_000);
      life.scheduledApp('reporting', 'hourly-report', 'finance', '@every 2m', { lastRun: life.iso(-100), nextRun: life.iso(20), lastRunName: 'hourly-report-1', pastSuccessfulRunNames: ['hourly-report-1'] });
      life.later(20, () => life.kubeflowApp('reporting', 'hourly-report-2', 'finance', { type: 'Never' }, life.kubeflowState('SUBMITTED', { submissionAttempts: 1, executionAttempts: 1, lastSubmissionAttemptTime: life.iso(20) }), run, 0));
      life.scheduleSteps('reporting', 'hourly-report', [[20, () => ({ lastRun: life.iso(20), nextRun: life.iso(140), lastRunName: 'hourly-report-2', pastSuccessfulRunNames: ['hourly-report-1'] })]]);
      const error = 'driver container failed with ExitCode: 1, Reason: Error';
      life.kubeflowSteps('reporting', 'hourly-report-2', [
        [24, life.kubeflowState('RUNNING', { submissionAttempts: 1, executionAttempts: 1, lastSubmissionAttemptTime: life.iso(20) })],
        [50, life.kubeflowState('FAILED', { submissionAttempts: 1, executionAttempts: 1, lastSubmissionAttemptTime: life.iso(20), terminationTime: life.iso(50) }, error)],
      ]);
      life.scheduleSteps('reporting', 'hourly-report', [[51, () => ({ lastRun: life.iso(20), nextRun: life.iso(140), lastRunName: 'hourly-report-2', pastSuccessfulRunNames: ['hourly-report-1'], pastFailedRunNames: ['hourly-report-2'] })]]);
      life.record(50, (t) => t.failure('reporting', 'hourly-report-2', 'FAILED', 'driver_error', 'kubeflow'));
      // A daily schedule whose run due 30 minutes ago never started (the operator is not acting).
      life.kubeflowApp('reporting', 'daily-export-1', 'finance', { type: 'Never' }, life.kubeflowState('COMPLETED', { submissionAttempts: 1, executionAttempts: 1, terminationTime: life.iso(-86_000) }), { 'sparkoperator.k8s.io/scheduled-app-name': 'daily-export' }, 88_200_000);
      life.scheduledApp('reporting', 'daily-export', 'finance', '0 2 * * *', { lastRun: life.iso(-88_200), nextRun: life.iso(-1_800), lastRunName: 'daily-export-1', pastSuccessfulRunNames: ['daily-export-1'] });
      // Suspended on purpose, as overdue: must not alert.
      life.scheduledApp('reporting', 'paused-export', 'finance', '0 3 * * *', { lastRun: life.iso(-90_000), nextRun: life.iso(-3_600), lastRunName: 'paused-export-1' }, true);
      return;
    }
    case 'demo':
      nodePool(cluster, 'on-demand', 10, 16, 131072, 0);
      nodePool(cluster, 'spot', 6, 16, 131072, 1);
      nodePool(cluster, 'gpu', 2, 16, 65536, 2);
      namespace(cluster, 'team-analytics', 'analytics', ROOMY);
      namespace(cluster, 'team-ml', 'ml', ROOMY);
      namespace(cluster, 'team-finance', 'finance', { 'requests.cpu': '40', 'requests.memory': '62Gi', pods: '40' });
      namespace(cluster, 'team-streaming', 'platform', ROOMY);
      cluster.imagePullFailure.set(IMAGE, 0.1);
      spark.addApp(base({ name: 'sessionize-clicks', namespace: 'team-analytics', team: 'analytics', operator: true, stages: 40, maxExecutors: 8 }));
      spark.addApp(base({ name: 'feature-store-backfill', namespace: 'team-ml', team: 'ml', heapMiB: 8192, overheadMiB: 384, cores: 4, oomProbability: 0.4, maxExecutors: 8, operator: true }));
      spark.addApp(base({ name: 'month-end-close', namespace: 'team-finance', team: 'finance', maxExecutors: 20, tasksPerStage: 200, stages: 20 }));
      spark.addApp(base({ name: 'clickstream-microbatch', namespace: 'team-streaming', team: 'platform', labelTeam: false, idleTimeoutS: 15, stages: 200, tasksPerStage: 40, taskSeconds: 30, stageGapS: [45, 120], minExecutors: 0, maxExecutors: 10 }));
      spark.addApp(base({ name: 'spot-rollup', namespace: 'team-analytics', team: 'analytics', tolerateSpot: true, stages: 40, maxExecutors: 10 }));
      spark.setSpotPolicy({ everyS: 600, replaceAfterS: 120, nodeTemplate: { pool: 'spot', cpu: 16, memoryMiB: 131072, zone: 'us-central1-c', instanceType: 'n2-highmem-16' } });
      return;
  }
}
