/**
 * The periodic audit (`--audit-interval`): a watch that silently missed events (the simulator
 * withholds them while the connection stays open, as a buggy proxy or apiserver might) leaves the
 * model out of step; the next audit relists, corrects it, and counts the difference in
 * spark_k8s_exporter_audit_drift_total. An audit that finds nothing counts nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { select, sum } from '../support/exposition.js';
import { exportedPods, livePods, quiesce, scrape, sleep, sortedEntries, sparkPods, startPair, waitFor, counted, truthDelta } from '../support/sim-pair.js';
import type { ResourceQuotaObj } from '../../src/sim/types.js';

test('audit finds and corrects drift left by silently lost watch events, and counts it', { timeout: 90_000 }, async () => {
  const pair = await startPair({ sim: { scenario: 'steady', speed: 30, seed: 3 }, exporter: { auditIntervalMs: 2000, watchIdleTimeoutMs: 60_000 } });
  try {
    const { sim, exporter } = pair;
    const url = exporter.url;
    await waitFor('executors running', () => sparkPods(sim).filter((p) => p.metadata.labels?.['spark-role'] === 'executor' && p.status.phase === 'Running').length >= 4, 30_000);
    sim.pause();
    await quiesce(sim, exporter);
    // Audits on an exporter in step with the API find nothing.
    // Each audit is one more successful list of pods (the first is the initial sync).
    const audits = async () => sum(await scrape(url), 'spark_k8s_exporter_list_total', { resource: 'pods', result: 'success' }) - 1;
    await waitFor('two clean audits', async () => (await audits()) >= 2, 15_000);
    let p = await scrape(url);
    assert.equal(sum(p, 'spark_k8s_exporter_audit_drift_total'), 0, 'no drift while in step');

    // Lose events: with watches silent, two executors are deleted at once (grace 0) and their
    // quota usage drops; then the watches carry on as if nothing happened.
    sim.faults.stallWatches(true);
    const victims = sparkPods(sim).filter((x) => x.metadata.labels?.['spark-role'] === 'executor' && x.status.phase === 'Running').slice(0, 2);
    for (const v of victims) sim.cluster.deletePod(v.metadata.namespace ?? '', v.metadata.name, 0);
    sim.cluster.world.cluster.flushQuotas();
    await sleep(100);
    sim.faults.stallWatches(false);
    assert.ok(victims.every((v) => exporter.model.pods.has(v.metadata.uid)), 'the model still holds the deleted pods: drift');

    p = await waitFor('the audit to correct the drift', async () => {
      const m = await scrape(url);
      return (select(m, 'spark_k8s_exporter_audit_drift_total', { resource: 'pods' })[0]?.value ?? 0) >= 2 ? m : undefined;
    }, 15_000);
    assert.equal(sum(p, 'spark_k8s_exporter_audit_drift_total', { resource: 'pods' }), 2, 'exactly the two lost deletions');
    assert.ok(sum(p, 'spark_k8s_exporter_audit_drift_total', { resource: 'resourcequotas' }) >= 1, 'and the quota usage they freed');
    assert.ok(victims.every((v) => !exporter.model.pods.has(v.metadata.uid)), 'corrected');
    assert.deepEqual(sortedEntries(exportedPods(p)), sortedEntries(livePods(sim)));
    for (const q of sim.cluster.list('resourcequotas') as ResourceQuotaObj[]) {
      const got = select(p, 'spark_k8s_quota_used', { namespace: q.metadata.namespace ?? '', quota: q.metadata.name, resource: 'pods' })[0]?.value;
      assert.equal(got, Number(q.status.used['pods']), `${q.metadata.namespace}/${q.metadata.name} pods used`);
    }
    // The lost deletions are still counted as exits, once, when the audit saw them gone.
    const truth = truthDelta(sim.truth.totals(), pair.baseline);
    assert.equal(counted(p).exitsTotal, truth.exitsTotal);
    assert.ok(pair.log.has('audit found the model out of step with the API; corrected', { resource: 'pods' }));
    const driftAfter = sum(p, 'spark_k8s_exporter_audit_drift_total');
    // Later audits find the model in step again: drift stops growing.
    const done = await audits();
    await waitFor('another audit', async () => (await audits()) >= done + 1, 15_000);
    p = await scrape(url);
    assert.equal(sum(p, 'spark_k8s_exporter_audit_drift_total'), driftAfter);
    // An audit lists beside the live watch rather than cutting it.
    assert.equal(sum(p, 'spark_k8s_exporter_watch_restarts_total', { reason: 'audit' }), 0);
    process.stdout.write(`# reliability audit: ${JSON.stringify({ drift: Object.fromEntries(select(p, 'spark_k8s_exporter_audit_drift_total').map((s) => [s.labels['resource'], s.value])), audits: done + 1 })}\n`);
  } finally {
    await pair.close();
  }
});
