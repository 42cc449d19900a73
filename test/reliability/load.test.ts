/**
 * /metrics under load, against the real binary holding 10k pods: concurrent scrapers on loopback
 * (bounded in requests and time) keep latency near a single scraper's and do not grow memory; a
 * client that reads its response slowly does not hold up anyone else's scrape.
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
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  const body = await res.text();
  assert.equal(res.status, 200);
  return { ms: performance.now() - t, bytes: body.length };
}

test('concurrent scrapes hold latency and memory; a slow reader blocks no one', { timeout: 120_000 }, async () => {
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
    // On a 2-core machine renders are serialised: 8 scrapers each wait for up to 8 renders.
    assert.ok(c99 < Math.max(1000, s50 * 8 * 3), `p99 ${c99.toFixed(0)} ms vs single p50 ${s50.toFixed(0)} ms`);
    assert.ok(rssAfter < rssBefore + 100 * 2 ** 20, `memory ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB`);

    // A slow reader: requests /metrics, then reads 16 KiB every 100 ms. Meanwhile others scrape.
    const slow = connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    slow.pause();
    let slowBytes = 0;
    const drip = setInterval(() => {
      let chunk: Buffer | null;
      let got = 0;
      while (got < 16_384 && (chunk = slow.read() as Buffer | null) !== null) got += chunk.length;
      slowBytes += got;
    }, 100);
    try {
      await sleep(300);
      const during: number[] = [];
      for (let i = 0; i < 10; i++) during.push((await timedScrape(url)).ms);
      assert.ok(slowBytes < bytes, `the slow reader is still reading (${slowBytes} of ${bytes} bytes)`);
      const d50 = percentile(during, 0.5);
      assert.ok(d50 < Math.max(500, s50 * 4), `scrapes beside a slow reader: p50 ${d50.toFixed(0)} ms vs ${s50.toFixed(0)} ms alone`);
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
