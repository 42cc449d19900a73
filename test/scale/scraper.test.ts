/**
 * The bench's scraper reads HTTP responses itself (into one reused buffer), so its framing is
 * tested here: the body it counts is the body sent, whatever the reads cut it into, and a kept
 * connection the server closed is retried once.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { Scraper } from '../../bench/scraper.js';
import { streamWhole } from '../../src/metrics/body-sink.js';
import { listen } from '../../src/server/http.js';
import { makeLogger } from '../../src/logger.js';

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server; connections: () => number }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

const close = (s: http.Server): Promise<void> =>
  new Promise((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

/** A body of `n` bytes that is not one byte repeated, so a lost or doubled slice shows. */
function body(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((i * 7 + (i >> 10)) % 26);
  return b;
}

test('a Content-Length body is read whole, and the connection is kept for the next scrape', async () => {
  const want = body(3 << 20);
  const { url, server, connections } = await serve((_req, res) => {
    res.setHeader('Content-Length', want.length);
    res.end(want);
  });
  const s = new Scraper(url);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await s.get(true);
      assert.equal(r.bytes, want.length);
      assert.ok(r.body?.equals(want), 'the same bytes');
      assert.ok(r.ms > 0);
    }
    assert.equal(connections(), 1, 'one kept-alive connection');
    const counted = await s.get(false);
    assert.equal(counted.bytes, want.length);
    assert.equal(counted.body, undefined, 'no copy unless asked');
  } finally {
    s.close();
    await close(server);
  }
});

test('a chunked body cut into odd pieces, written with pauses, is reassembled exactly', async () => {
  const want = body(2_500_000);
  const { url, server } = await serve((_req, res) => {
    void (async () => {
      // Slices of prime sizes with pauses: chunk-size lines and CRLFs land across reads.
      for (let at = 0, k = 0; at < want.length; k++) {
        const n = [1, 7, 4093, 65_537, 300_007][k % 5] ?? 1;
        res.write(want.subarray(at, Math.min(want.length, at + n)));
        at += n;
        if (k % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      res.end();
    })();
  });
  const s = new Scraper(url);
  try {
    const r = await s.get(true);
    assert.equal(r.bytes, want.length);
    assert.ok(r.body?.equals(want));
    // And again on the same connection: the parser starts clean.
    assert.ok((await s.get(true)).body?.equals(want));
  } finally {
    s.close();
    await close(server);
  }
});

test('the exporter HTTP stack (streamed slices, chunked) reads back as the body it sent', async () => {
  const want = body(5 << 20);
  const log = makeLogger('silent', 'json');
  const h = await listen({ host: '127.0.0.1', port: 0 }, { renderer: { stream: (_f, sink) => streamWhole(want, sink, 1 << 20), release: () => undefined }, ready: () => true, log });
  const s = new Scraper(h.url);
  try {
    const r = await s.get(true);
    assert.equal(r.status, 200);
    assert.ok(r.body?.equals(want));
  } finally {
    s.close();
    await h.close();
  }
});

test('a kept connection the server closed is retried once on a new one; a failure status is an error', async () => {
  let status = 200;
  const { url, server, connections } = await serve((_req, res) => {
    res.statusCode = status;
    res.setHeader('Content-Length', 2);
    res.end('ok');
  });
  const s = new Scraper(url);
  try {
    assert.equal((await s.get()).bytes, 2);
    server.closeAllConnections();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await s.get()).bytes, 2, 'served on a new connection');
    assert.equal(connections(), 2);
    status = 503;
    await assert.rejects(s.get(), /answered 503/);
  } finally {
    s.close();
    await close(server);
  }
});

test('a server that is not there is an error, not a hang', async () => {
  const { url, server } = await serve(() => undefined);
  await close(server);
  const s = new Scraper(url, 2_000);
  await assert.rejects(s.get(), /ECONNREFUSED|closed/);
  s.close();
});
