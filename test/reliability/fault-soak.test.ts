/**
 * The fault soak, short: 30 simulated minutes of the `demo` scenario, and `quota-crunch-long`
 * (one 30-minute gap of burned ids) through its end, at 80x with a watch drop, 500s or 429s every
 * 4 real seconds, the exporter as its own `serve` process. Every counter must equal the
 * simulator's truth. The long run (3 simulated hours, the figures in
 * docs/reliability.md) is `npm run soak`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUOTA_CRUNCH_LONG } from '../../src/sim/scenarios.js';
import { runFaultSoak, type FaultSoakReport } from '../support/fault-soak.js';

function report(name: string, r: FaultSoakReport): void {
  process.stdout.write(`# reliability ${name}: ${JSON.stringify({ simSeconds: r.simSeconds, realSeconds: r.realSeconds, faults: r.faults, truth: r.truth, unconfirmedSkippedIds: r.unconfirmedSkippedIds, restarts: r.restarts, lists: r.lists })}\n`);
}

test('fault soak (short): demo at 80x through drops, 500s and 429s; every counter equals the truth', { timeout: 150_000 }, async () => {
  const r = await runFaultSoak({ scenario: 'demo', speed: 80, simSeconds: 1800, faultEveryS: 4, seed: 7, exporterArgs: ['--executor-id-grace', '2s'], sampleEveryS: 10 });
  report('fault-soak', r);
  assert.ok(r.truth.starts >= 50 && r.truth.exitsTotal >= 20, `the workload did something: ${JSON.stringify(r.truth)}`);
  assert.ok(r.faults.drops >= 5 && r.faults.http500 > 0 && r.faults.http429 > 0, JSON.stringify(r.faults));
  assert.deepEqual(r.exporter, r.truth, 'every counter against the truth');
  assert.deepEqual(r.livePods.exporter, r.livePods.truth, 'live pods by role and phase');
  assert.equal(r.implausibleIds, 0, 'no burned id taken for a bad label');
  assert.ok((r.restarts['http_500'] ?? 0) >= 1 && (r.restarts['http_429'] ?? 0) >= 1, `restarts ${JSON.stringify(r.restarts)}`);
});

test('fault soak (short): a 30-minute gap of burned ids through drops, 500s and 429s, counted exactly', { timeout: 150_000 }, async () => {
  const r = await runFaultSoak({ scenario: 'quota-crunch-long', speed: 80, simSeconds: QUOTA_CRUNCH_LONG.fullForS + 120, faultEveryS: 4, seed: 7, exporterArgs: ['--executor-id-grace', '2s'], sampleEveryS: 10 });
  report('fault-soak-quota', r);
  assert.ok(r.truth.skippedIds > 1500, `one gap of about 1750 ids: ${r.truth.skippedIds}`);
  assert.equal(r.unconfirmedSkippedIds, 0, 'the executors after the raise confirm all of them');
  assert.deepEqual(r.exporter, r.truth, 'every counter against the truth');
  assert.equal(r.implausibleIds, 0);
});
