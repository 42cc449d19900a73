/**
 * /metrics under load, against the real binary holding 10k pods: concurrent scrapers on loopback
 * each get a whole body and do not grow memory; a client that reads its response slowly does not
 * hold up anyone else's scrape. Latencies are printed, not asserted: a shared or loaded machine
 * makes any bound flaky, and speed is `npm run bench`'s to measure.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { rssBytes, sleep, tempDir } from '../support/sim-pair.js';

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function timedScrape(url: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  assert.equal(res.status, 200);
  // A whole exposition, never a cut one: the body ends with its last family's last sample.
  assert.match(body, /\nspark_k8s_exporter_total_shards 1\n/);
  return { ms: performance.now() - t, bytes: body.length };
}

test('concurrent scrapes each get a whole body, memory stays flat, a slow reader blocks no one', { timeout: 180_000 }, async () => {
  const tmp = tempDir('rel-load-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  const sim = await startSimulator({ scenario: 'scale', scale: { pods: 10_000, apps: 200 }, seed: 5, kubeconfigOut: kubeconfig });
  let ex: ExporterProcess | undefined;
  try {
    ex = await startExporterProcess(['--kubeconfig', kubeconfig, '--audit-interval', '0']);
    const url = ex.url;
    await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
    const pid = ex.child.pid!;
    // One scraper at a time: the baseline.
    const single: number[] = [];
    for (let i = 0; i < 15; i++) single.push((await timedScrape(url)).ms);
    const rssBefore = rssBytes(pid);

    // 8 scrapers, 25 scrapes each, back to back.
    const concurrent: number[] = [];
    let bytes = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 25; i++) {
          const r = await timedScrape(url);
          concurrent.push(r.ms);
          bytes = r.bytes;
        }
      }),
    );
    const wallS = (performance.now() - started) / 1000;
    await sleep(500);
    const rssAfter = rssBytes(pid);
    const s50 = percentile(single, 0.5);
    const c50 = percentile(concurrent, 0.5);
    const c99 = percentile(concurrent, 0.99);
    assert.equal(concurrent.length, 200, 'every concurrent scrape completed');
    assert.ok(rssAfter < rssBefore + 100 * 2 ** 20, `memory ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB`);

    // A slow reader: requests /metrics, then reads 4 KiB every 200 ms. Meanwhile others scrape.
    const slow = connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    slow.pause();
    let slowBytes = 0;
    const drip = setInterval(() => {
      const n = Math.min(4096, slow.readableLength);
      const chunk = n > 0 ? (slow.read(n) as Buffer | null) : null;
      if (chunk) slowBytes += chunk.length;
    }, 200);
    try {
      await sleep(300);
      const during: number[] = [];
      for (let i = 0; i < 10; i++) during.push((await timedScrape(url)).ms);
      // Ten whole scrapes finished while the slow reader still had most of its body to read.
      assert.ok(slowBytes < bytes, `the slow reader is still reading (${slowBytes} of ${bytes} bytes)`);
      const d50 = percentile(during, 0.5);
      process.stdout.write(`# reliability load: ${JSON.stringify({ pods: 10_000, bytes, singleP50Ms: Math.round(s50), concurrency: 8, scrapes: concurrent.length, concurrentP50Ms: Math.round(c50), concurrentP99Ms: Math.round(c99), scrapesPerSecond: Math.round(concurrent.length / wallS), rssBeforeMiB: Math.round(rssBefore / 2 ** 20), rssAfterMiB: Math.round(rssAfter / 2 ** 20), besideSlowReaderP50Ms: Math.round(d50) })}\n`);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
  } finally {
    await ex?.stop('SIGKILL');
    await sim.close();
    tmp.cleanup();
  }
});
