/**
 * The body pool's contract: a body handed back is written again (its pages already touched)
 * unless a render cache still reads it, and a body that grows a little still fits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyPool } from '../../src/metrics/body-pool.js';
import { ExpositionWriter } from '../../src/metrics/exposition.js';

const never = (): boolean => false;

test('a released body is handed out again; one a cache still reads is not', () => {
  const pool = new BodyPool();
  const a = pool.alloc(1000, never);
  pool.release(a);
  const b = pool.alloc(1000, (m) => m === a.buffer);
  assert.notEqual(b.buffer, a.buffer, 'the cache still copies from a: a fresh one');
  pool.release(b);
  const c = pool.alloc(1000, (m) => m === b.buffer);
  assert.equal(c.buffer, a.buffer, 'a is free again once the cache moved to b');
});

test('bodies that grow a little from render to render are written into reused memory', () => {
  const pool = new BodyPool();
  let cached: ArrayBufferLike | undefined;
  const buffers = new Set<ArrayBufferLike>();
  let size = 100_000;
  for (let i = 0; i < 40; i++) {
    // As MetricsRenderer does: sized from its last body, busy while the cache points into it.
    const w = new ExpositionWriter('prometheus', (n) => pool.alloc(n, (m) => m === cached), size);
    w.raw('x'.repeat(size + 300));
    const body = w.finishBytes();
    size = body.length;
    cached = body.buffer;
    buffers.add(body.buffer);
    pool.release(body);
  }
  // 40 renders, each 300 B longer (12 KB in all, 12%): two alternating buffers, not 40.
  assert.equal(buffers.size, 2, `${buffers.size} distinct buffers`);
});

test('a buffer of the pool is never one of the shared slab other Buffers live in', () => {
  const pool = new BodyPool();
  const b = pool.alloc(64, never);
  assert.ok(b.buffer.byteLength >= 64 && b.buffer.byteLength < 8192, 'its own memory, not the 8 KiB slab');
});
