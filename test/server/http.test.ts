import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { MetricsRenderer } from '../../src/metrics/render.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { listen } from '../../src/server/http.js';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { nextTurn, streamWhole } from '../../src/metrics/body-sink.js';
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

/** A renderer of one fixed body, streamed as a render streams, that records what is handed back. */
function fixedBody(bytes: number): { renderer: Pick<MetricsRenderer, 'stream' | 'release'>; body: Buffer; released: Buffer[] } {
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) body[i] = 97 + (i % 26);
  const released: Buffer[] = [];
  return { body, released, renderer: { stream: (_format, sink) => streamWhole(body, sink), release: (b) => void released.push(b) } };
}

test('a body of many slices arrives whole, chunked, and is handed back once sent', { timeout: 20_000 }, async () => {
  const f = fixedBody(5 * 1024 * 1024 + 123);
  const http = await listen({ host: '127.0.0.1', port: 0 }, { renderer: f.renderer, ready: () => true, log: pino({ level: 'silent' }) });
  try {
    const res = await fetch(`${http.url}/metrics`);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked', 'the length is not known before the last slice is rendered');
    const got = Buffer.from(await res.arrayBuffer());
    assert.ok(got.equals(f.body), 'the same bytes, in order');
    for (let i = 0; i < 50 && f.released.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(f.released, [f.body]);
  } finally {
    await http.close();
  }
});

test('a render that fails before its first slice is a 500; after it, the response is cut, never completed', { timeout: 20_000 }, async () => {
  const errors: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
  let failAfterFirst = false;
  const renderer: Pick<MetricsRenderer, 'stream' | 'release'> = {
    stream: async (_format, sink) => {
      if (failAfterFirst) {
        sink.write(Buffer.from('spark_k8s_exporter_build_info 1\n'));
        await nextTurn();
      }
      throw new Error('boom');
    },
    release: () => undefined,
  };
  const http = await listen({ host: '127.0.0.1', port: 0 }, { renderer, ready: () => true, log });
  try {
    const early = await fetch(`${http.url}/metrics`);
    assert.equal(early.status, 500);
    assert.equal(await early.text(), 'render failed\n');
    failAfterFirst = true;
    const late = await fetch(`${http.url}/metrics`);
    assert.equal(late.status, 200, 'the status went out with the first slice');
    await assert.rejects(late.text(), 'a body cut short is an error to the scraper, not a short scrape');
    assert.equal(errors.filter((l) => l.includes('rendering /metrics failed')).length, 2);
  } finally {
    await http.close();
  }
});

test('a scraper that leaves mid-body ends the send; the body is not handed back to be rewritten', { timeout: 20_000 }, async () => {
  const f = fixedBody(64 * 1024 * 1024);
  const http = await listen({ host: '127.0.0.1', port: 0 }, { renderer: f.renderer, ready: () => true, log: pino({ level: 'silent' }) });
  try {
    const { port } = new URL(http.url);
    const sock = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    let read = 0;
    await new Promise<void>((r) => {
      sock.on('data', (d: Buffer) => {
        read += d.length;
        if (read > 1024 * 1024) {
          sock.destroy();
          r();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(f.released, [], 'an aborted response never finished');
    const ok = await fetch(`${http.url}/metrics`);
    assert.equal((await ok.arrayBuffer()).byteLength, f.body.length, 'and the next scrape is served whole');
  } finally {
    await http.close();
  }
});

/** One raw GET: the status, headers and the bytes as sent (fetch would undo the gzip itself). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/metrics`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

test('with --enable-gzip-encoding a scraper that asks gets the same body gzipped; others, and every scraper without it, plain', { timeout: 30_000 }, async () => {
  const f = fixedBody(3 * 1024 * 1024 + 7);
  const log = pino({ level: 'silent' });
  const on = await listen({ host: '127.0.0.1', port: 0, gzip: true }, { renderer: f.renderer, ready: () => true, log });
  const off = await listen({ host: '127.0.0.1', port: 0 }, { renderer: f.renderer, ready: () => true, log });
  try {
    // What Prometheus sends.
    const zipped = await rawGet(on.url, { 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers['vary']), /Accept-Encoding/);
    assert.ok(gunzipSync(zipped.body).equals(f.body), 'the same bytes once unzipped');
    assert.ok(zipped.body.length < f.body.length / 10, `${zipped.body.length} bytes gzipped of ${f.body.length}`);
    // Coding names are case-insensitive and any q above 0 takes it.
    const weighted = await rawGet(on.url, { 'Accept-Encoding': 'deflate, GZIP;q=0.5' });
    assert.equal(weighted.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(weighted.body).equals(f.body));
    for (const [server, accept] of [[on, 'identity'], [on, 'gzip;q=0'], [on, ''], [off, 'gzip']] as const) {
      const r = await rawGet(server.url, accept ? { 'Accept-Encoding': accept } : {});
      assert.equal(r.headers['content-encoding'], undefined, `${server === on ? 'on' : 'off'}, Accept-Encoding: ${accept}`);
      assert.ok(r.body.equals(f.body));
    }
    for (let i = 0; i < 50 && f.released.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(f.released.length, 6, 'each body handed back once sent, gzipped or not');
  } finally {
    await Promise.all([on.close(), off.close()]);
  }
});

test('a gzipped scrape whose scraper leaves mid-body, or whose render fails, ends cleanly; the next is whole', { timeout: 30_000 }, async () => {
  const f = fixedBody(64 * 1024 * 1024);
  let fail = false;
  const renderer: Pick<MetricsRenderer, 'stream' | 'release'> = {
    stream: async (format, sink) => {
      if (!fail) return f.renderer.stream(format, sink);
      sink.write(f.body.subarray(0, 1 << 20));
      await nextTurn();
      throw new Error('boom');
    },
    release: f.renderer.release,
  };
  const on = await listen({ host: '127.0.0.1', port: 0, gzip: true }, { renderer, ready: () => true, log: pino({ level: 'silent' }) });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${on.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
    fail = true;
    // Cut if the gzip stream had already sent its first bytes (and so the status); a 500 if not.
    const failed = await rawGet(on.url, { 'Accept-Encoding': 'gzip' }).catch(() => undefined);
    assert.ok(failed === undefined || (failed.status === 500 && failed.headers['content-encoding'] === undefined), `never a whole-looking 200: ${failed?.status}`);
    fail = false;
    const whole = await rawGet(on.url, { 'Accept-Encoding': 'gzip' });
    assert.ok(gunzipSync(whole.body).equals(f.body));
  } finally {
    await on.close();
  }
});
