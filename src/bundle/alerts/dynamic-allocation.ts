/**
 * Dynamic-allocation advice: settings read from SparkApplications (spark_k8s_application_dynamic_allocation)
 * set beside what executors were observed to do. These alerts join the executor lifetime
 * recordings, so they belong to the executors group (a recording is read by alerts of its own
 * group, see RuleArea): executors.ts lists them after its own.
 */
import type { RecordingRule, RuleContext } from './spec.js';
import { defineAlerts } from './spec.js';

export function dynamicAllocationRecordNames(w: { startup: string }) {
  return {
    startupP90: `namespace:spark_k8s_executor_startup_seconds:p90_${w.startup}`,
  } as const;
}

/** One effective setting per application, whichever exporter replica reports it. */
export const daSetting = ({ d, x }: RuleContext, setting: string) => d(x('spark_k8s_application_dynamic_allocation', `setting="${setting}"`));

/** The dynamic-allocation settings are per SparkApplication name (no app id: one object, many runs). */
const onApp = ({ by, ns }: RuleContext) => `on (${by(ns, 'app_name')})`;

export function dynamicAllocationRecords(c: RuleContext): RecordingRule[] {
  const { R, d, x, by, ns, w } = c;
  return [
    {
      record: R.startupP90,
      expr: `histogram_quantile(0.9, sum by (${by(ns, 'le')}) (${d(`rate(${x('spark_k8s_pod_startup_seconds_bucket', 'role="executor"')}[${w.startup}])`)}))`,
    },
  ];
}

export const dynamicAllocationAlerts = defineAlerts([
  {
    name: 'SparkExecutorIdleTimeoutTooLow',
    // The value is the idle timeout itself, so the description can name it.
    expr: (c) =>
      `${daSetting(c, 'executor_idle_timeout_seconds')} ${c.thr('executorIdleTimeoutMinSeconds', '<')}\n` +
      `and ${onApp(c)}\n${daSetting(c, 'enabled')} == 1\n` +
      `and ${onApp(c)}\n(${c.R.lifetimeMean} ${c.thr('executorLifetimeChurnSeconds', '<')} and ${c.R.lifetimeExits} ${c.thr('churnMinExits', '>=')})`,
    for: '10m',
    severity: 'warning',
    summary: 'Spark executors churn because the dynamic-allocation idle timeout is low.',
    description: ({ ns, team, w, cfg }) =>
      `Executors of {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) lived under ${cfg.thresholds.executorLifetimeChurnSeconds}s on average over the last ${w.churn} while spark.dynamicAllocation.executorIdleTimeout is {{ $value | humanizeDuration }}: executors are released between stages and recreated at the next, paying pod startup each time. Set spark.dynamicAllocation.executorIdleTimeout=${cfg.advice.executorIdleTimeoutSeconds}s.`,
    runbook: 'sparkexecutoridletimeouttoolow.md',
  },
  {
    name: 'SparkDynamicAllocationWithoutShuffleTracking',
    expr: (c) => `${daSetting(c, 'shuffle_tracking')} == 0\nand ${onApp(c)}\n${daSetting(c, 'enabled')} == 1`,
    for: '15m',
    severity: 'info',
    summary: 'Dynamic allocation runs without shuffle tracking.',
    description: ({ ns, team }) =>
      `SparkApplication {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) has dynamic allocation on and spark.dynamicAllocation.shuffleTracking.enabled off: without an external shuffle service, an executor removed on scale-down takes its shuffle files with it and the stages that wrote them run again.`,
    runbook: 'sparkdynamicallocationwithoutshuffletracking.md',
  },
  {
    name: 'SparkDynamicAllocationColdStart',
    // min_executors is 0 here, so adding it keeps the namespace's startup p90 as the value while
    // the result takes the application's labels (group_left).
    expr: (c) =>
      `(\n  ${daSetting(c, 'min_executors')} == 0\n  and ${onApp(c)}\n  ${daSetting(c, 'enabled')} == 1\n)\n` +
      `+ on (${c.by(c.ns)}) group_left()\n(${c.R.startupP90} ${c.thr('coldStartSeconds', '>')})`,
    for: '15m',
    severity: 'info',
    summary: 'Spark dynamic allocation scales from zero executors while executor startup is slow.',
    description: ({ ns, team, w }) =>
      `SparkApplication {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) runs with spark.dynamicAllocation.minExecutors=0 while executors in the namespace took {{ $value | humanizeDuration }} to start (p90 over ${w.startup}): every scale-up from idle waits that long. Keep a warm pool: minExecutors 2-4.`,
    runbook: 'sparkdynamicallocationcoldstart.md',
  },
]);
