/**
 * The exporter against each simulated scenario: the signals each scenario promises show up in
 * /metrics, and the exporter's counters agree exactly with the simulator's ground truth for
 * everything that happened after the exporter's first list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parseExposition, select, sum, type ParsedExposition as Parsed } from '../../src/metrics/parse-exposition.js';
import { QUOTA_CRUNCH_LONG } from '../../src/sim/scenarios.js';
import { counted, startPair, truthDelta, waitFor, type Pair } from '../support/sim-pair.js';

const SPEED = 120;

interface Run extends Pair {
  scrape(): Promise<Parsed>;
}

/**
 * Runs a scenario against an in-process exporter, from a baseline taken once the exporter has
 * synced. With `steps`, simulated time is driven synchronously in steps of `stepMs` (the
 * real-time clock nearly stopped), which makes a run exactly reproducible.
 */
async function run(scenario: string, realSeconds: number, seed = 7, steps?: { count: number; stepMs: number }): Promise<Run> {
  const pair = await startPair({
    sim: { scenario, speed: steps ? 1e-6 : SPEED, seed },
    exporter: { gapGraceMs: 300, churnWindowMs: 60 * 60_000, tickMs: 200 },
  });
  if (steps) {
    for (let i = 0; i < steps.count; i++) {
      pair.sim.cluster.advance(steps.stepMs);
      await new Promise((r) => setTimeout(r, 25));
    }
  } else {
    await new Promise((r) => setTimeout(r, realSeconds * 1000));
  }
  pair.sim.pause();
  return { ...pair, scrape: async () => parseExposition(await pair.exporter.renderer.render('prometheus')) };
}

/** Waits until the exporter has absorbed every event up to the pause and agrees with the truth. */
async function settle(r: Run): Promise<Parsed> {
  const want = truthDelta(r.sim.truth.totals(), r.baseline);
  let last: Parsed | undefined;
  try {
    return await waitFor(
      'exporter to agree with the truth',
      async () => {
        last = await r.scrape();
        return isDeepStrictEqual(counted(last), want) ? last : undefined;
      },
      15_000,
      200,
    );
  } catch (e) {
    if (last) assert.deepEqual(counted(last), want, 'exporter counters against the simulator truth');
    throw e;
  }
}

function medianLifetimeBelow(p: Parsed, seconds: number): boolean {
  const le = `${seconds}.0`;
  const below = sum(p, 'spark_k8s_executor_lifetime_seconds_bucket', { le });
  const all = sum(p, 'spark_k8s_executor_lifetime_seconds_count');
  return all > 0 && below / all > 0.5;
}

test('oom: executors OOMKilled, counted exactly as they happened', { timeout: 60_000 }, async () => {
  const r = await run('oom', 4);
  try {
    const p = await settle(r);
    assert.ok(sum(p, 'spark_k8s_container_oom_kills_total', { role: 'executor' }) > 0, 'OOMKills seen');
    assert.ok(sum(p, 'spark_k8s_executor_exits_total', { reason: 'oom_killed' }) > 0);
    const ratios = select(p, 'spark_k8s_executor_memory_overhead_ratio');
    assert.ok(ratios.some((s) => s.value < 0.2), 'the PySpark apps run with overhead below 20% of the heap');
    assert.ok(ratios.some((s) => s.labels['app_name'] === 'healthy-etl' && s.value >= 0.2), 'and the healthy one does not');
  } finally {
    await r.close();
  }
});

test('quota-crunch: quota ≥ 85% used, skipped executor ids, no headroom', { timeout: 60_000 }, async () => {
  const r = await run('quota-crunch', 6);
  try {
    const p = await settle(r);
    const sat = Math.max(...select(p, 'spark_k8s_quota_saturation_ratio').map((s) => s.value));
    assert.ok(sat >= 0.85, `saturation ${sat}`);
    await waitFor('skipped ids', async () => sum(await r.scrape(), 'spark_k8s_executor_ids_skipped_total') > 0 || undefined, 10_000);
    const skipped = sum(await r.scrape(), 'spark_k8s_executor_ids_skipped_total');
    assert.ok(skipped <= r.sim.truth.totals().skippedIds - r.baseline.skippedIds, 'never more than the ids really burned');
    assert.ok(select(p, 'spark_k8s_quota_headroom_executors').some((s) => s.value === 0));
  } finally {
    await r.close();
  }
});

test('quota-crunch-long: missing executors while the quota is full for 30 minutes, then every burned id counted exactly', { timeout: 90_000 }, async () => {
  const L = QUOTA_CRUNCH_LONG;
  const pair = await startPair({ sim: { scenario: 'quota-crunch-long', speed: SPEED, seed: 7 }, exporter: { gapGraceMs: 300, tickMs: 200 } });
  const r: Run = { ...pair, scrape: async () => parseExposition(await pair.exporter.renderer.render('prometheus')) };
  try {
    // Workload time runs from the resume in startPair; the quota is raised L.fullForS later.
    const t0 = r.sim.clock.now();
    const atSimMinute = (m: number) => waitFor(`simulated minute ${m}`, () => r.sim.clock.now() - t0 >= m * 60_000 || undefined, 60_000, 50);
    await atSimMinute(10);
    const during = await r.scrape();
    const app = { app_name: L.app };
    assert.equal(sum(during, 'spark_k8s_executors_missing', app), L.floor - 2, 'two executors fit, the rest of the floor is missing');
    assert.equal(sum(during, 'spark_k8s_quota_headroom_executors', app), 0, 'and the quota admits none');
    assert.equal(sum(during, 'spark_k8s_executor_ids_skipped_total', app), 0, 'no later id yet: nothing confirmed');
    const burning = r.sim.truth.totals();
    assert.ok(burning.skippedIds >= 500, `Spark burned an id per allocation round: ${burning.skippedIds}`);

    await atSimMinute(L.fullForS / 60 + 3);
    r.sim.pause();
    const p = await settle(r);
    const truth = r.sim.truth.totals();
    const burned = truth.skippedIds - r.baseline.skippedIds;
    assert.ok(burned > 1500, `about one id a second for 30 minutes: ${burned}`);
    assert.equal(truth.confirmedSkippedIds - r.baseline.confirmedSkippedIds, burned, 'the later executors confirm every one');
    await waitFor('every burned id counted', async () => sum(await r.scrape(), 'spark_k8s_executor_ids_skipped_total') === burned || undefined, 10_000).catch(() => undefined);
    const after = await r.scrape();
    assert.equal(sum(after, 'spark_k8s_executor_ids_skipped_total', app), burned, 'the exporter counted exactly the ids Spark burned');
    assert.equal(sum(after, 'spark_k8s_exporter_objects_rejected_total', { reason: 'implausible_executor_id' }), 0, 'none taken for a bad label');
    assert.equal(sum(p, 'spark_k8s_executors_missing', app), 0, 'the floor is met once the quota is raised');
    assert.ok(sum(p, 'spark_k8s_quota_headroom_executors', app) >= 1);
  } finally {
    await r.close();
  }
});

test('churn: median executor lifetime under 5 minutes, many deleted exits', { timeout: 60_000 }, async () => {
  const r = await run('churn', 5);
  try {
    const p = await settle(r);
    assert.ok(medianLifetimeBelow(p, 300), 'median lifetime < 300s');
    assert.ok(sum(p, 'spark_k8s_executor_exits_total', { reason: 'deleted' }) > 0);
    assert.ok(sum(p, 'spark_k8s_executor_churn_per_minute') > 0);
  } finally {
    await r.close();
  }
});

test('spot-preemption: preempted executors, and the driver on spot lost with its node', { timeout: 60_000 }, async () => {
  // Seed 3 reclaims the misconfigured driver's node at about 11 simulated minutes.
  const r = await run('spot-preemption', 0, 3, { count: 40, stepMs: 30_000 });
  try {
    const p = await settle(r);
    assert.ok(sum(p, 'spark_k8s_executor_exits_total', { reason: 'preempted' }) > 0);
    assert.ok(sum(p, 'spark_k8s_driver_exits_total', { app_name: 'adhoc-backfill', reason: 'preempted' }) >= 1, 'the driver on spot was preempted');
    assert.equal(sum(p, 'spark_k8s_driver_exits_total', { reason: 'preempted' }), sum(p, 'spark_k8s_driver_exits_total', { app_name: 'adhoc-backfill', reason: 'preempted' }), 'no other driver was');
    assert.equal(sum(p, 'spark_k8s_driver_spot_eligible', { app_name: 'adhoc-backfill' }), 1);
    assert.equal(sum(p, 'spark_k8s_driver_spot_eligible'), 1, 'the drivers kept on on-demand nodes are not flagged');
  } finally {
    await r.close();
  }
});

test('image-pull: executors pending on image pulls', { timeout: 60_000 }, async () => {
  const r = await run('image-pull', 3);
  try {
    const p = await settle(r);
    assert.ok(sum(p, 'spark_k8s_executors_pending', { reason: 'image_pull' }) > 0);
    assert.ok(select(p, 'spark_k8s_executor_pending_oldest_age_seconds').length > 0);
  } finally {
    await r.close();
  }
});

test('steady: no OOMKills, no rejections, long-lived executors', { timeout: 60_000 }, async () => {
  const r = await run('steady', 4);
  try {
    const p = await settle(r);
    assert.equal(sum(p, 'spark_k8s_container_oom_kills_total'), 0);
    assert.equal(sum(p, 'spark_k8s_executor_ids_skipped_total'), 0);
    assert.ok(sum(p, 'spark_k8s_pods', { role: 'executor', phase: 'Running' }) > 0);
    assert.ok(!medianLifetimeBelow(p, 300) || sum(p, 'spark_k8s_executor_lifetime_seconds_count') === 0);
  } finally {
    await r.close();
  }
});

test('demo: several teams, SparkApplications, every kind of signal', { timeout: 60_000 }, async () => {
  const r = await run('demo', 5);
  try {
    const p = await settle(r);
    const teams = new Set(select(p, 'spark_k8s_pods').map((s) => s.labels['team']));
    assert.ok(teams.size >= 3, `teams: ${[...teams].join(',')}`);
    assert.ok(sum(p, 'spark_k8s_applications') > 0, 'SparkApplications by state');
    assert.ok(sum(p, 'spark_k8s_container_oom_kills_total') > 0);
  } finally {
    await r.close();
  }
});

/** The exporter's failures and retries keyed as the simulator's lifecycle truth keys them. */
function lifecycleCounted(p: Parsed): { failures: Record<string, number>; retries: Record<string, number> } {
  const failures: Record<string, number> = {};
  for (const s of select(p, 'spark_k8s_application_failures_total')) {
    const l = s.labels;
    failures[`${l['namespace']}/${l['app_name']}/${l['state']}/${l['reason']}/${l['operator']}`] = s.value;
  }
  const retries: Record<string, number> = {};
  for (const s of select(p, 'spark_k8s_application_retries_total')) retries[`${s.labels['namespace']}/${s.labels['app_name']}/${s.labels['operator']}`] = s.value;
  return { failures, retries };
}

/** Steps simulated time past every scripted status, then waits until the exporter agrees exactly. */
async function settleLifecycle(scenario: string, seconds: number): Promise<{ r: Run; p: Parsed }> {
  const r = await run(scenario, 0, 7, { count: seconds, stepMs: 1000 });
  const want = { failures: Object.fromEntries(r.sim.truth.lifecycle.failures), retries: Object.fromEntries(r.sim.truth.lifecycle.retries) };
  let last: Parsed | undefined;
  try {
    const p = await waitFor('exporter lifecycle counters to agree with the truth', async () => {
      last = await r.scrape();
      return isDeepStrictEqual(lifecycleCounted(last), want) ? last : undefined;
    }, 15_000, 200);
    return { r, p };
  } catch (e) {
    if (last) assert.deepEqual(lifecycleCounted(last), want, 'exporter lifecycle counters against the simulator truth');
    await r.close();
    throw e;
  }
}

test('retries: two failed attempts then success are 2 retries and no failure; SUBMISSION_FAILED then FAILED is one failure; Apache restarts too', { timeout: 60_000 }, async () => {
  const { r, p } = await settleLifecycle('retries', 400);
  try {
    assert.deepEqual(Object.fromEntries(r.sim.truth.lifecycle.retries), { 'etl/etl-retry/kubeflow': 2, 'etl/pi-retry/apache': 1 }, 'the script did what the scenario promises');
    assert.deepEqual(Object.fromEntries(r.sim.truth.lifecycle.failures), { 'etl/etl-submit/FAILED/submission_failed/kubeflow': 1, 'etl/pi-retry/Failed/driver_oom_killed/apache': 1 });
    assert.equal(select(p, 'spark_k8s_application_failures_total', { app_name: 'etl-retry' }).length, 0, 'retried to success: never a failure');
    assert.equal(select(p, 'spark_k8s_applications', { state: 'COMPLETED', operator: 'kubeflow' }).length, 1);
    assert.equal(select(p, 'spark_k8s_applications', { state: 'ResourceReleased', operator: 'apache' }).length, 1);
  } finally {
    await r.close();
  }
});

test('stuck: SUBMITTED with the driver in ImagePullBackOff, PENDING_RERUN with no driver, Apache DriverRequested', { timeout: 60_000 }, async () => {
  const { r, p } = await settleLifecycle('stuck', 30);
  try {
    const driver = (app: string) => select(p, 'spark_k8s_application_driver_status', { app_name: app }).map((s) => s.labels['driver_status']);
    assert.deepEqual(driver('ingest-stuck'), ['image_pull']);
    assert.deepEqual(driver('rerun-stuck'), ['none']);
    assert.deepEqual(driver('pi-stuck'), ['none']);
    const state = (app: string) => select(p, 'spark_k8s_application_state_seconds', { app_name: app }).map((s) => [s.labels['state'], s.labels['operator']]);
    assert.deepEqual(state('ingest-stuck'), [['SUBMITTED', 'kubeflow']]);
    assert.deepEqual(state('rerun-stuck'), [['PENDING_RERUN', 'kubeflow']]);
    assert.deepEqual(state('pi-stuck'), [['DriverRequested', 'apache']]);
    assert.deepEqual(lifecycleCounted(p), { failures: {}, retries: {} }, 'stuck is neither failed nor retried');
  } finally {
    await r.close();
  }
});

test('schedule: a failing run and a missed run, timestamps exactly as the schedules say', { timeout: 60_000 }, async () => {
  const { r, p } = await settleLifecycle('schedule', 60);
  try {
    assert.deepEqual(Object.fromEntries(r.sim.truth.lifecycle.failures), { 'reporting/hourly-report-2/FAILED/driver_error/kubeflow': 1 });
    const life = r.sim.cluster.world.lifecycle;
    const one = (metric: string, app: string) => select(p, metric, { scheduled_app: app }).map((s) => s.value);
    assert.deepEqual(one('spark_k8s_scheduled_application_last_run_timestamp_seconds', 'hourly-report'), [life.unix(20)]);
    assert.deepEqual(one('spark_k8s_scheduled_application_next_run_timestamp_seconds', 'hourly-report'), [life.unix(140)]);
    assert.deepEqual(one('spark_k8s_scheduled_application_last_success_timestamp_seconds', 'hourly-report'), [life.unix(-40)]);
    assert.deepEqual(select(p, 'spark_k8s_scheduled_application_last_run_state', { scheduled_app: 'hourly-report' }).map((s) => [s.labels['run_name'], s.labels['state']]), [['hourly-report-2', 'FAILED']]);
    assert.deepEqual(one('spark_k8s_scheduled_application_next_run_timestamp_seconds', 'daily-export'), [life.unix(-1800)], 'overdue by 30 minutes');
    assert.deepEqual(one('spark_k8s_scheduled_application_suspended', 'paused-export'), [1]);
    assert.deepEqual(one('spark_k8s_scheduled_application_suspended', 'daily-export'), [0]);
  } finally {
    await r.close();
  }
});
