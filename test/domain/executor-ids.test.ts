import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutorIds, MAX_PLAUSIBLE_IDS_PER_SECOND, PLAUSIBLE_ID_BURST } from '../../src/domain/executor-ids.js';
import { Feeder } from '../support/feed.js';
import { sparkPod } from '../support/pods.js';

test('a quota full for an hour: thousands of burned ids are one range, and count exactly once', () => {
  const ids = new ExecutorIds();
  let now = 0;
  ids.observe(1, true, now);
  ids.observe(2, true, now);
  // Spark retries a batch every second while the quota stays full: ~10 ids a second for an hour.
  now += 3600_000;
  assert.equal(ids.observe(36_003, true, now), 'new_max');
  assert.equal(ids.gaps.length, 1, 'one entry, whatever its width');
  assert.equal(ids.pending(), 36_000);
  ids.expire(now + 29_999, 30_000);
  assert.equal(ids.skipped, 0, 'still within the grace');
  ids.expire(now + 30_000, 30_000);
  assert.equal(ids.skipped, 36_000);
  ids.expire(now + 90_000, 30_000);
  assert.equal(ids.skipped, 36_000, 'counted once');
  assert.equal(ids.gaps.length, 0);
});

test('late ids split a hole: the first, the last and one inside', () => {
  const ids = new ExecutorIds();
  ids.observe(1, true, 0);
  ids.observe(11, true, 0); // 2..10 missing
  for (const late of [2, 10, 6]) assert.equal(ids.observe(late, true, 1), 'filled');
  assert.deepEqual(ids.gaps.map((g) => [g.from, g.to]), [[3, 5], [7, 9]]);
  assert.equal(ids.observe(6, true, 2), 'old', 'a duplicate fills nothing');
  ids.expire(30_000, 30_000);
  assert.equal(ids.skipped, 6);
});

test('an id far beyond what Spark could have burned since the previous one is implausible, and changes nothing', () => {
  const ids = new ExecutorIds();
  ids.observe(3, true, 0);
  const tooFar = 3 + PLAUSIBLE_ID_BURST + 10 * MAX_PLAUSIBLE_IDS_PER_SECOND + 2;
  assert.equal(ids.observe(tooFar, true, 10_000), 'implausible');
  assert.equal(ids.maxId, 3);
  assert.deepEqual(ids.gaps.map((g) => [g.from, g.to]), [[1, 2]], 'only the hole below 3');
  // The same width is plausible after long enough: a quota full for that long burns that many.
  assert.equal(ids.observe(tooFar, true, 10_000 + 1000), 'new_max');
});

test('ids that existed before the first list open no hole (a predecessor counted them)', () => {
  const ids = new ExecutorIds();
  assert.equal(ids.observe(500, false, 0), 'new_max');
  assert.equal(ids.gaps.length, 0);
  ids.observe(503, true, 1);
  ids.expire(60_000, 30_000);
  assert.equal(ids.skipped, 2);
});

test('the model counts a hole a relist reveals, and reports an implausible id to the caller', () => {
  const rejected: string[] = [];
  const f = new Feeder({ gapGraceMs: 1000, reject: (reason, detail) => rejected.push(`${reason}: ${detail}`) });
  const driver = sparkPod({ role: 'driver' });
  const first = sparkPod({ execId: 1 });
  f.pod(driver);
  f.pod(first);
  f.now += 5 * 60_000; // five minutes disconnected, then a 410 and a relist
  f.relist([driver, first, sparkPod({ execId: 2500 })]);
  f.advance(1000);
  assert.equal(f.app().ids.skipped, 2498);
  f.pod(sparkPod({ execId: 10_000_000 }));
  assert.equal(rejected.length, 1);
  assert.match(rejected[0] ?? '', /^implausible_executor_id: analytics\/.*executor id 10000000 after 2500$/);
  f.advance(60_000);
  assert.equal(f.app().ids.skipped, 2498, 'the implausible id burned nothing');
});
