import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, jittered } from '../../src/source/backoff.js';

test('jitter spans ±20% of the base by default, from the injected random source', () => {
  assert.equal(jittered(1000, 0.2, 0), 800);
  assert.equal(jittered(1000, 0.2, 0.5), 1000);
  assert.ok(Math.abs(jittered(1000, 0.2, 0.999999) - 1200) < 0.01);
  assert.equal(jittered(1000, 0, 0.7), 1000);
});

test('delays double up to the cap, each within its jitter bounds; reset starts over', () => {
  const rs = [0, 0.99, 0.5, 0.25, 0.75, 0, 0.99];
  let i = 0;
  const b = new Backoff({ initialMs: 500, maxMs: 5000 }, () => rs[i++ % rs.length]!);
  const bases = [500, 1000, 2000, 4000, 5000, 5000, 5000];
  for (const base of bases) {
    const d = b.next();
    assert.ok(d >= base * 0.8 && d <= base * 1.2, `${d} within ±20% of ${base}`);
  }
  assert.equal(b.failures, bases.length);
  assert.equal(b.currentMs, 5000);
  b.reset();
  assert.equal(b.failures, 0);
  assert.equal(b.currentMs, 500);
  const d = b.next();
  assert.ok(d >= 400 && d <= 600);
});

test('different random sources give different delays: jitter is real', () => {
  const a = new Backoff({ initialMs: 1000, maxMs: 1000 }, () => 0.1).next();
  const b = new Backoff({ initialMs: 1000, maxMs: 1000 }, () => 0.9).next();
  assert.notEqual(a, b);
});
