/**
 * The SparkApplication lifecycle of both operators: every real-world status shape parses, final
 * failures count once with a bounded reason, retries count once from the attempt counters, and
 * neither relists, watch gaps nor a restart (a new model whose first list is `initial`) count
 * anything twice or count what predates the process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILURE_REASONS } from '../../src/catalogue/metrics.js';
import { reasonFromMessage } from '../../src/domain/failure-reason.js';
import { parseSparkApplication } from '../../src/domain/spark-application.js';
import { AppFeeder, apacheApp, apacheView, kubeflowApp, kubeflowView, scheduledApp, type KubeflowStatus } from '../support/applications.js';
import { deleting, oomKilled, running, sparkPod, terminated, waiting, disrupted } from '../support/pods.js';

const T0 = '2026-11-25T10:00:00Z';

test('kubeflow status shapes from the wild: no status, driverInfo {}, null times, missing counters', () => {
  const none = kubeflowView(kubeflowApp('ns', 'fresh', undefined));
  assert.equal(none.state, 'NEW');
  assert.equal(none.stateSinceMs, Date.parse('2026-11-25T09:00:00Z'), 'NEW dates from the object\'s creation');
  assert.equal(none.submissionAttempts, 0);
  assert.equal(none.terminal, false);
  const nulls = kubeflowView(kubeflowApp('ns', 'nulls', { state: 'SUBMITTED', lastSubmissionAttemptTime: null, terminationTime: null }));
  assert.equal(nulls.stateSinceMs, undefined, 'a null time is no time: the exporter\'s own sighting stands in');
  assert.equal(nulls.terminationMs, undefined);
  const submitted = kubeflowView(kubeflowApp('ns', 's', { state: 'SUBMITTED', lastSubmissionAttemptTime: T0, submissionAttempts: 1, executionAttempts: 1 }));
  assert.equal(submitted.stateSinceMs, Date.parse(T0));
  const failed = kubeflowView(kubeflowApp('ns', 'f', { state: 'FAILED', terminationTime: T0, errorMessage: 'driver container failed with ExitCode: 1, Reason: Error' }));
  assert.deepEqual([failed.terminal, failed.stateSinceMs, failed.outcome, failed.message], [true, Date.parse(T0), 'FAILED', 'driver container failed with ExitCode: 1, Reason: Error']);
  assert.equal(kubeflowView(kubeflowApp('ns', 'odd', { state: 'not a state!' })).state, 'UNKNOWN');
  assert.equal(kubeflowView(kubeflowApp('ns', 'run', { state: 'RUNNING' }, { restartPolicy: { type: 'OnFailure', onFailureRetries: 2 } })).restartPolicy, 'OnFailure');
  assert.equal(kubeflowView(kubeflowApp('ns', 'sched', { state: 'COMPLETED' }, {}, { 'sparkoperator.k8s.io/scheduled-app-name': 'nightly' })).scheduledBy, 'nightly');
  // Malformed statuses are not trusted: a string status, a numeric state, negative counters.
  const bad = parseSparkApplication({ metadata: { name: 'x', namespace: 'n', uid: 'u' }, status: { applicationState: { state: 7 }, submissionAttempts: -3, executionAttempts: 'two' } }, 'team');
  assert.ok(bad.ok);
  assert.deepEqual([bad.value.state, bad.value.submissionAttempts, bad.value.executionAttempts], ['NEW', 0, 0]);
  const str = parseSparkApplication({ metadata: { name: 'x', namespace: 'n', uid: 'u' }, status: 'nope' }, 'team');
  assert.ok(str.ok && str.value.state === 'NEW');
});

test('Apache status shapes: no status, the research C5 status, trimmed and untrimmed histories', () => {
  const none = apacheView(apacheApp('ns', 'a', undefined));
  assert.deepEqual([none.state, none.terminal, none.operator], ['NEW', false, 'apache']);
  const released = apacheView(
    apacheApp('ns', 'b', [
      { state: 'ScheduledToRestart', at: '2026-07-23T10:16:40.100211Z' },
      { state: 'DriverRequested', at: '2026-07-23T10:17:10.301877Z', message: 'Requested driver from resource scheduler.' },
      { state: 'RunningHealthy', at: '2026-07-23T10:17:33.120005Z' },
      { state: 'Failed', at: '2026-07-23T10:21:05.880120Z', message: 'Driver has one or more failed critical container(s), refer last observed status for details.', driver: { phase: 'Failed', containerStatuses: [{ name: 'spark-kubernetes-driver', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } },
      { state: 'ResourceReleased', at: '2026-07-23T10:21:07.412093Z', message: 'The maximum number of restart attempts (1) has been exceeded.' },
    ], 1, 1, [{ state: 'Submitted', at: '2026-07-23T10:15:00Z' }, { state: 'Failed', at: '2026-07-23T10:16:30Z' }]),
  );
  assert.deepEqual(
    [released.state, released.terminal, released.outcome, released.previousOutcome, released.attemptId, released.failureRestarts, released.driverObserved?.exit, released.stateSinceMs],
    ['ResourceReleased', true, 'Failed', 'Failed', 1, 1, 'error', Date.parse('2026-07-23T10:21:07.412093Z')],
  );
  // Untrimmed history: the previous attempt's end is the stopping state before the last restart.
  const untrimmed = apacheView(apacheApp('ns', 'c', [{ state: 'Submitted', at: T0 }, { state: 'DriverEvicted', at: T0 }, { state: 'ScheduledToRestart', at: T0 }, { state: 'DriverRequested', at: T0 }], 1, 1));
  assert.deepEqual([untrimmed.previousOutcome, untrimmed.outcome, untrimmed.terminal], ['DriverEvicted', undefined, false]);
  // History keys sort as numbers ("10" after "9"), not as strings.
  const o = apacheApp('ns', 'd', [{ state: 'Submitted', at: T0 }]);
  (o['status'] as Record<string, unknown>)['stateTransitionHistory'] = { '9': { currentStateSummary: 'Succeeded' }, '10': { currentStateSummary: 'ResourceReleased' }, '8': { currentStateSummary: 'Failed' } };
  assert.equal(apacheView(o).outcome, 'Succeeded');
});

test('error messages in every wording seen classify to the bounded reasons', () => {
  const cases: [string, string | undefined][] = [
    ['driver pod failed with ExitCode: 101, Reason: Error', 'driver_error'],
    ['driver container failed with ExitCode: 1, Reason: Error', 'driver_error'],
    ['driver container failed with ExitCode: 137, Reason: OOMKilled', 'driver_oom_killed'],
    ['failed to run spark-submit for SparkApplication ns/name: exit status 1', 'submission_failed'],
    ['failed to run spark-submit for SparkApplication ns/name: signal: killed', 'submission_failed'],
    ['failed to submit spark application: admission webhook denied the request', 'submission_failed'],
    ['driver pod failed with ExitCode: 143, Reason: Evicted', 'driver_evicted'],
    ['The node was low on resource: memory.', 'driver_evicted'],
    ['Failed to request driver from scheduler backend. StackTrace: ...', 'submission_failed'],
    ['Driver has one or more failed critical container(s), refer last observed status for details.', 'driver_error'],
    ['Back-off pulling image "spark:bad"', 'image_pull'],
    ['driver pod not found', undefined],
    ['driver container status missing', undefined],
  ];
  for (const [m, want] of cases) assert.equal(reasonFromMessage(m), want, m);
  for (const [, want] of cases) if (want) assert.ok((FAILURE_REASONS as readonly string[]).includes(want));
});

test('SUBMISSION_FAILED then FAILED is one failure, reason submission_failed; FAILED before the start is none', () => {
  const f = new AppFeeder();
  f.kubeflow(kubeflowApp('ns', 'old', { state: 'FAILED', submissionAttempts: 1 }), 'initial');
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'NEW' }));
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'SUBMISSION_FAILED', submissionAttempts: 1, errorMessage: 'failed to run spark-submit for SparkApplication ns/sub: exit status 1' }));
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'FAILED', submissionAttempts: 1, terminationTime: T0, errorMessage: 'failed to run spark-submit for SparkApplication ns/sub: exit status 1' }));
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'FAILED', submissionAttempts: 1, terminationTime: T0 }));
  assert.deepEqual(f.failures(), [['sub', 'FAILED', 'submission_failed', 'kubeflow', 1]]);
  assert.equal(f.retries('sub'), 0);
});

test('a failure is classified from the driver pod the model saw first, then from the message', () => {
  const f = new AppFeeder();
  const appId = 'spark-11111111111111111111111111111111';
  const driver = sparkPod({ role: 'driver', appId, appName: 'etl' });
  f.pod(running(driver));
  f.pod(oomKilled(running(driver)));
  // The message says Error (exit 137 looks like any kill): the pod knows it was the OOM killer.
  f.kubeflow(kubeflowApp('analytics', 'etl', { state: 'FAILED', sparkApplicationId: appId, submissionAttempts: 1, executionAttempts: 1, errorMessage: 'driver container failed with ExitCode: 137, Reason: Error' }));
  // An evicted driver whose container says Error (143).
  const appId2 = 'spark-22222222222222222222222222222222';
  const d2 = sparkPod({ role: 'driver', appId: appId2, appName: 'evicted' });
  f.pod(running(d2));
  f.pod(terminated(disrupted(running(d2), 'EvictionByEvictionAPI', 'Evicted'), 'Error', 143));
  f.kubeflow(kubeflowApp('analytics', 'evicted', { state: 'FAILED', sparkApplicationId: appId2, submissionAttempts: 1, executionAttempts: 1, errorMessage: 'driver container failed with ExitCode: 143, Reason: Error' }));
  // No pod seen: the message decides; none of it matches: unknown.
  f.kubeflow(kubeflowApp('analytics', 'nopod', { state: 'FAILED', submissionAttempts: 1, executionAttempts: 1, errorMessage: 'driver pod failed with ExitCode: 101, Reason: Error' }));
  f.kubeflow(kubeflowApp('analytics', 'gone', { state: 'FAILED', submissionAttempts: 1, executionAttempts: 1, errorMessage: 'driver pod not found' }));
  // A driver that never pulled its image, deleted by the operator: image_pull, found by the app-name join.
  const d3 = sparkPod({ role: 'driver', appId: 'spark-33333333333333333333333333333333', appName: 'badimage' });
  f.pod(waiting(d3, 'ImagePullBackOff'));
  f.deleted(deleting(waiting(d3, 'ImagePullBackOff')));
  f.kubeflow(kubeflowApp('analytics', 'badimage', { state: 'FAILED', submissionAttempts: 1, executionAttempts: 1, errorMessage: 'driver pod not found' }));
  assert.deepEqual(f.failures().sort(), [
    ['badimage', 'FAILED', 'image_pull', 'kubeflow', 1],
    ['etl', 'FAILED', 'driver_oom_killed', 'kubeflow', 1],
    ['evicted', 'FAILED', 'driver_evicted', 'kubeflow', 1],
    ['gone', 'FAILED', 'unknown', 'kubeflow', 1],
    ['nopod', 'FAILED', 'driver_error', 'kubeflow', 1],
  ]);
});

/** kubeflow OnFailure with two failed attempts, then success, state by state as the operator writes it. */
function retriesStates(): KubeflowStatus[] {
  const s: KubeflowStatus[] = [{ state: '' }];
  for (let a = 1; a <= 3; a++) {
    s.push({ state: 'SUBMITTED', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a, lastSubmissionAttemptTime: T0 });
    s.push({ state: 'RUNNING', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a, sparkApplicationId: `spark-${a}` });
    if (a < 3) {
      s.push({ state: 'FAILING', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a, terminationTime: T0, errorMessage: 'driver container failed with ExitCode: 1, Reason: Error' });
      s.push({ state: 'PENDING_RERUN', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a });
    } else {
      s.push({ state: 'SUCCEEDING', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a, terminationTime: T0 });
      s.push({ state: 'COMPLETED', submissionID: `s${a}`, submissionAttempts: a, executionAttempts: a, terminationTime: T0 });
    }
  }
  return s;
}

const ONFAILURE = { restartPolicy: { type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 5 } };

test('retries: two failed attempts then success count 2 retries and no failure, through duplicates and relists', () => {
  const f = new AppFeeder();
  for (const s of retriesStates()) {
    const o = kubeflowApp('ns', 'job', s, ONFAILURE);
    f.kubeflow(o);
    f.kubeflow(o); // a duplicate event
    f.relistKubeflow([o]); // a relist after a reconnect
  }
  assert.equal(f.retries('job'), 2);
  assert.deepEqual(f.failures(), []);
});

test('retries across a watch gap: only the end state seen still counts exactly', () => {
  const f = new AppFeeder();
  const states = retriesStates();
  f.kubeflow(kubeflowApp('ns', 'job', states[2] ?? {}, ONFAILURE)); // RUNNING, attempt 1
  f.relistKubeflow([kubeflowApp('ns', 'job', states[states.length - 1] ?? {}, ONFAILURE)]); // COMPLETED, attempt 3
  assert.equal(f.retries('job'), 2);
});

test('retries: an operator before v2 resets submissionAttempts on PENDING_RERUN; executionAttempts still counts it', () => {
  const f = new AppFeeder();
  const seq: KubeflowStatus[] = [
    { state: 'SUBMITTED', submissionAttempts: 1, executionAttempts: 1 },
    { state: 'FAILING', submissionAttempts: 1, executionAttempts: 1 },
    { state: 'PENDING_RERUN', submissionAttempts: 0, executionAttempts: 1 },
    { state: 'SUBMITTED', submissionAttempts: 1, executionAttempts: 2 },
  ];
  f.kubeflow(kubeflowApp('ns', 'old-op', { state: '' }, ONFAILURE));
  for (const s of seq) f.kubeflow(kubeflowApp('ns', 'old-op', s, ONFAILURE));
  assert.equal(f.retries('old-op'), 1);
  // The reset hidden by a gap (1 → 1 submissions, 1 → 2 executions): still one.
  const g = new AppFeeder();
  g.kubeflow(kubeflowApp('ns', 'old-op', seq[0] ?? {}, ONFAILURE));
  g.kubeflow(kubeflowApp('ns', 'old-op', seq[3] ?? {}, ONFAILURE));
  assert.equal(g.retries('old-op'), 1);
});

test('retries: a failed submission resubmitted directly counts; Always after success and a spec change do not', () => {
  const f = new AppFeeder();
  const sub = { restartPolicy: { type: 'OnFailure', onSubmissionFailureRetries: 2 } };
  f.kubeflow(kubeflowApp('ns', 'sub', { state: '' }, sub));
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'SUBMISSION_FAILED', submissionAttempts: 1 }, sub));
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'SUBMITTED', submissionAttempts: 2, executionAttempts: 1 }, sub));
  assert.equal(f.retries('sub'), 1);

  const always = { restartPolicy: { type: 'Always' } };
  f.kubeflow(kubeflowApp('ns', 'svc', { state: '' }, always));
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'RUNNING', submissionAttempts: 1, executionAttempts: 1 }, always));
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'SUCCEEDING', submissionAttempts: 1, executionAttempts: 1 }, always));
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'RUNNING', submissionAttempts: 2, executionAttempts: 2 }, always));
  assert.equal(f.retries('svc'), 0, 'a rerun of a success is no retry');
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'FAILING', submissionAttempts: 2, executionAttempts: 2 }, always));
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'RUNNING', submissionAttempts: 3, executionAttempts: 3 }, always));
  assert.equal(f.retries('svc'), 1, 'a rerun of a failure is');
  // INVALIDATING resets both counters: the new lifecycle's first submission is no retry.
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'INVALIDATING', submissionAttempts: 0, executionAttempts: 0 }, always));
  f.kubeflow(kubeflowApp('ns', 'svc', { state: 'SUBMITTED', submissionAttempts: 1, executionAttempts: 1 }, always));
  assert.equal(f.retries('svc'), 1);
});

test('a restart counts nothing that predates it and everything after it, once', () => {
  const states = retriesStates();
  // The first process sees attempt 1 fail and attempt 2 start (1 retry), then dies.
  const a = new AppFeeder();
  for (const s of states.slice(0, 6)) a.kubeflow(kubeflowApp('ns', 'job', s, ONFAILURE));
  assert.equal(a.retries('job'), 1);
  // The second lists attempt 2 running (its baseline), then sees attempt 3 start and succeed.
  const b = new AppFeeder();
  b.relistKubeflow([kubeflowApp('ns', 'job', states[6] ?? {}, ONFAILURE)], 'initial');
  b.relistKubeflow([kubeflowApp('ns', 'job', states[6] ?? {}, ONFAILURE)]);
  assert.equal(b.retries('job'), 0);
  for (const s of states.slice(7)) b.kubeflow(kubeflowApp('ns', 'job', s, ONFAILURE));
  assert.equal(a.retries('job') + b.retries('job'), 2, 'the two processes together counted each retry once');
  // A final failure seen by the first process is not counted again by the second's first list.
  const failed = kubeflowApp('ns', 'f', { state: 'FAILED', submissionAttempts: 1, executionAttempts: 1, submissionID: 'x' });
  a.kubeflow(kubeflowApp('ns', 'f', { state: 'RUNNING', submissionAttempts: 1, executionAttempts: 1, submissionID: 'x' }));
  a.kubeflow(failed);
  const c = new AppFeeder();
  c.relistKubeflow([failed], 'initial');
  c.relistKubeflow([failed]);
  assert.equal(a.failures().length, 1);
  assert.deepEqual(c.failures(), []);
});

test('Apache: a failed attempt restarted is a retry; the final failure counts once when resources are released', () => {
  const f = new AppFeeder();
  const at = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();
  const attempt0 = [{ state: 'Submitted', at: at(0) }, { state: 'DriverRequested', at: at(1) }, { state: 'RunningHealthy', at: at(2) }];
  f.apache(apacheApp('ns', 'pi', attempt0, 0, 0, undefined, 'OnFailure'));
  const failed0 = [...attempt0, { state: 'Failed', at: at(3), driver: { phase: 'Failed', containerStatuses: [{ name: 'spark-kubernetes-driver', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] } }];
  f.apache(apacheApp('ns', 'pi', failed0, 0, 0, undefined, 'OnFailure'));
  assert.equal(f.retries('pi', 'apache'), 0, 'Failed is not final: a restart may follow');
  const attempt1 = [{ state: 'ScheduledToRestart', at: at(4) }, { state: 'DriverRequested', at: at(5) }];
  f.apache(apacheApp('ns', 'pi', attempt1, 1, 1, failed0, 'OnFailure'));
  f.relistApache([apacheApp('ns', 'pi', attempt1, 1, 1, failed0, 'OnFailure')]);
  assert.equal(f.retries('pi', 'apache'), 1);
  const end = [...attempt1, { state: 'Failed', at: at(6), driver: { phase: 'Failed', reason: 'Evicted', containerStatuses: [] } }, { state: 'ResourceReleased', at: at(7), message: 'The maximum number of restart attempts (1) has been exceeded.' }];
  f.apache(apacheApp('ns', 'pi', end, 1, 1, failed0, 'OnFailure'));
  f.relistApache([apacheApp('ns', 'pi', end, 1, 1, failed0, 'OnFailure')]);
  assert.deepEqual(f.failures(), [['pi', 'Failed', 'driver_evicted', 'apache', 1]]);
  assert.equal(f.retries('pi', 'apache'), 1);
  // Succeeded then released is no failure; a SchedulingFailure is a submission failure.
  f.apache(apacheApp('ns', 'ok', [{ state: 'RunningHealthy', at: at(0) }]));
  f.apache(apacheApp('ns', 'ok', [{ state: 'RunningHealthy', at: at(0) }, { state: 'Succeeded', at: at(1) }, { state: 'ResourceReleased', at: at(2) }]));
  f.apache(apacheApp('ns', 'sched', [{ state: 'Submitted', at: at(0) }]));
  f.apache(apacheApp('ns', 'sched', [{ state: 'Submitted', at: at(0) }, { state: 'SchedulingFailure', at: at(1), message: 'Failed to request driver from scheduler backend. StackTrace: x' }, { state: 'TerminatedWithoutReleaseResources', at: at(2) }]));
  assert.deepEqual(f.failures().sort(), [['pi', 'Failed', 'driver_evicted', 'apache', 1], ['sched', 'SchedulingFailure', 'submission_failed', 'apache', 1]]);
  // Listed already terminated at the start: the predecessor counted it.
  const g = new AppFeeder();
  g.relistApache([apacheApp('ns', 'pi', end, 1, 1, failed0, 'OnFailure')], 'initial');
  assert.deepEqual(g.failures(), []);
});

test('a relist of one operator\'s CRD never removes the other operator\'s applications', () => {
  const f = new AppFeeder();
  f.relistKubeflow([kubeflowApp('ns', 'k', { state: 'RUNNING' })], 'initial');
  f.relistApache([apacheApp('ns', 'a', [{ state: 'RunningHealthy', at: T0 }])], 'initial');
  assert.deepEqual(f.relistKubeflow([kubeflowApp('ns', 'k', { state: 'RUNNING' })]), { added: 0, removed: 0, changed: 0 });
  assert.equal(f.model.sparkApps.records.size, 2);
  assert.deepEqual(f.relistApache([]), { added: 0, removed: 1, changed: 0 });
  assert.deepEqual([...f.model.sparkApps.records.values()].map((r) => r.view.name), ['k']);
});

test('state since: the status\' own times where they exist, else the transition as seen; unknown for what predates', () => {
  const f = new AppFeeder();
  f.kubeflow(kubeflowApp('ns', 'sub', { state: 'SUBMITTED', lastSubmissionAttemptTime: '2026-11-25T09:50:00Z' }), 'initial');
  f.kubeflow(kubeflowApp('ns', 'run', { state: 'RUNNING' }), 'initial');
  f.kubeflow(kubeflowApp('ns', 'done', { state: 'COMPLETED', terminationTime: null }), 'initial');
  const since = (name: string) => f.model.sparkApps.stateSince(`sa-ns-${name}`);
  assert.deepEqual(since('sub'), { ms: Date.parse('2026-11-25T09:50:00Z'), known: true });
  assert.deepEqual(since('run'), { ms: f.now, known: false }, 'RUNNING has no timestamp: a lower bound');
  assert.deepEqual(since('done'), { ms: f.now, known: false });
  f.advance(60_000);
  f.kubeflow(kubeflowApp('ns', 'run', { state: 'PENDING_RERUN' }));
  assert.deepEqual(since('run'), { ms: f.now, known: true }, 'a transition this process saw');
});

test('ScheduledSparkApplications: missing status, null times, suspended', () => {
  const f = new AppFeeder();
  f.schedule(scheduledApp('ns', 'new', undefined));
  f.schedule(scheduledApp('ns', 'nulls', { lastRun: null, nextRun: null }, true));
  f.schedule(scheduledApp('ns', 'ok', { lastRun: T0, nextRun: '2026-11-25T11:00:00Z', lastRunName: 'ok-1764064800000000000', pastSuccessfulRunNames: ['ok-1764064800000000000'] }, false));
  const v = (name: string) => [...f.model.scheduledApps.byUid.values()].find((s) => s.name === name);
  assert.deepEqual([v('new')?.lastRunMs, v('new')?.nextRunMs, v('new')?.suspended], [undefined, undefined, false]);
  assert.deepEqual([v('nulls')?.lastRunMs, v('nulls')?.suspended], [undefined, true]);
  assert.deepEqual([v('ok')?.lastRunMs, v('ok')?.nextRunMs, v('ok')?.lastRunName], [Date.parse(T0), Date.parse('2026-11-25T11:00:00Z'), 'ok-1764064800000000000']);
  // A run completing while we watch is remembered for its schedule, with the status' end time.
  const run = (state: string) => kubeflowApp('ns', 'ok-1764064800000000000', { state, terminationTime: state === 'COMPLETED' ? '2026-11-25T10:20:00Z' : null }, {}, { 'sparkoperator.k8s.io/scheduled-app-name': 'ok' });
  f.kubeflow(run('RUNNING'));
  f.kubeflow(run('COMPLETED'));
  assert.equal(f.model.sparkApps.scheduleSuccessMs.get('ns\u0000ok'), Date.parse('2026-11-25T10:20:00Z'));
});
