import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { MetricsRenderer } from '../../src/metrics/render.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { listen } from '../../src/server/http.js';
import { Feeder } from '../support/feed.js';

// A scraper that stops reading a body larger than the kernel's socket buffers would hold its socket
// forever without an inactivity timeout. Loopback buffers here take tens of MiB, so the stall itself
// cannot be reproduced at a sane size; what is tested is the timeout: a connection with no traffic
// either way is closed once it passes, long before the 15 s header timeout would act.
test('a connection with no traffic is closed after the socket idle timeout', { timeout: 15_000 }, async () => {
  const f = new Feeder();
  const renderer = new MetricsRenderer(f.model, new SelfStats('t'), { maxLabelLength: 128, churnWindowMs: 60_000, now: () => f.now, processMetrics: false });
  const http = await listen({ host: '127.0.0.1', port: 0, socketIdleTimeoutMs: 800 }, { renderer, ready: () => true, log: pino({ level: 'silent' }) });
  try {
    const { port } = new URL(http.url);
    const silent = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => silent.once('connect', () => r()));
    const t0 = Date.now();
    // Half a request line, then nothing.
    silent.write('GET /metr');
    const afterMs = await new Promise<number>((r) => silent.once('close', () => r(Date.now() - t0)));
    assert.ok(afterMs >= 700 && afterMs < 5000, `closed after ${afterMs} ms`);
    const ok = await fetch(`${http.url}/metrics`);
    assert.equal(ok.status, 200, 'and the server serves others as before');
  } finally {
    await http.close();
  }
});
