import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { tempDir, waitFor } from './helpers.js';

let sim: RunningSimulator;
let tmp: { dir: string; cleanup: () => void };
let kc: KubeConfig;

before(async () => {
  tmp = tempDir('sim-client-');
  const path = join(tmp.dir, 'kubeconfig');
  sim = await startSimulator({ scenario: 'scale', scale: { pods: 1200, apps: 24 }, seed: 8, kubeconfigOut: path, bookmarkIntervalSeconds: 1 });
  kc = new KubeConfig();
  kc.loadFromFile(path);
});

after(async () => {
  await sim.close();
  tmp.cleanup();
});

test('CoreV1Api lists with pagination: every pod exactly once', { timeout: 30_000 }, async () => {
  const api = kc.makeApiClient(CoreV1Api);
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await api.listPodForAllNamespaces({ limit: 500, labelSelector: 'spark-role in (driver,executor)', ...(token ? { _continue: token } : {}) });
    pages++;
    for (const p of page.items) {
      const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
      assert.ok(!seen.has(key), `duplicate ${key}`);
      seen.add(key);
    }
    token = page.metadata?._continue;
    // Churn between pages must not disturb the snapshot.
    if (pages === 1) await sim.driveEvents({ perSecond: 200, seconds: 0.5 });
  } while (token);
  assert.equal(pages, 3);
  assert.equal(seen.size, 1200);
  const executors = await api.listNamespacedPod({ namespace: 'team-1', labelSelector: 'spark-role=executor', fieldSelector: 'status.phase=Running' });
  assert.ok(executors.items.length > 0);
  assert.ok(executors.items.every((p) => p.metadata?.labels?.['spark-role'] === 'executor' && p.status?.phase === 'Running'));
});

test('Watch streams events from a resourceVersion, with bookmarks', { timeout: 30_000 }, async () => {
  const start = sim.resourceVersion();
  const events: string[] = [];
  const watch = new Watch(kc);
  const req = await watch.watch('/api/v1/pods', { resourceVersion: start, allowWatchBookmarks: true }, (type) => events.push(type), () => undefined);
  const drive = await sim.driveEvents({ perSecond: 100, seconds: 1 });
  await waitFor('all events and a bookmark', () => (events.filter((e) => e !== 'BOOKMARK').length >= drive.sent && events.includes('BOOKMARK')) || undefined, 10_000);
  req.abort();
  assert.ok(events.includes('ADDED') && events.includes('MODIFIED') && events.includes('DELETED'));
  assert.equal(events.filter((e) => e !== 'BOOKMARK').length, drive.sent);
});

test('Watch from a compacted resourceVersion gets a 410 Expired ERROR event', { timeout: 30_000 }, async () => {
  const old = sim.resourceVersion();
  await sim.driveEvents({ perSecond: 100, seconds: 0.2 });
  sim.faults.compact();
  const got = await new Promise<{ type: string; obj: unknown }>((resolve, reject) => {
    const w = new Watch(kc);
    const timer = setTimeout(() => reject(new Error('no event')), 10_000);
    void w.watch('/api/v1/pods', { resourceVersion: old }, (type, obj) => {
      clearTimeout(timer);
      resolve({ type, obj });
    }, () => undefined);
  });
  assert.equal(got.type, 'ERROR');
  const status = got.obj as { kind: string; code: number; reason: string };
  assert.equal(status.kind, 'Status');
  assert.equal(status.code, 410);
  assert.equal(status.reason, 'Expired');
});

test('faults: dropWatches ends streams, failNext answers 429 with Retry-After, counts are kept', { timeout: 30_000 }, async () => {
  let ended = false;
  const w = new Watch(kc);
  await w.watch('/api/v1/pods', { resourceVersion: sim.resourceVersion() }, () => undefined, () => {
    ended = true;
  });
  await waitFor('watch registered', () => sim.faults.openWatches() > 0 || undefined);
  sim.faults.dropWatches();
  await waitFor('watch ended', () => ended || undefined);
  sim.faults.failNext(1, 429);
  const res = await fetch(`${sim.url}/api/v1/namespaces`);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.ok(res.headers.get('date'));
  const body = (await res.json()) as { kind: string; code: number };
  assert.equal(body.kind, 'Status');
  assert.equal(body.code, 429);
  const counts = sim.faults.counts();
  assert.ok((counts['list'] ?? 0) >= 3 && (counts['watch'] ?? 0) >= 3);
});

test('faults: down() refuses connections, then serves again on the same port', { timeout: 30_000 }, async () => {
  const back = sim.faults.down(500);
  await assert.rejects(fetch(`${sim.url}/version`));
  await back;
  const res = await fetch(`${sim.url}/version`);
  assert.equal(res.status, 200);
});

/** A raw pod watch from now whose reader has stopped reading, once the simulator has registered it. */
async function pausedPodWatch(): Promise<import('node:http').IncomingMessage> {
  const url = new URL(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${sim.resourceVersion()}`);
  assert.ok(kc.getCurrentCluster());
  const headers: Record<string, string> = {};
  await kc.applyToHTTPSOptions({ headers });
  const { default: http } = await import(url.protocol === 'https:' ? 'node:https' : 'node:http');
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = http.get(url, { headers, rejectUnauthorized: false }, resolve);
    req.on('error', reject);
  });
  res.pause();
  await waitFor('watch registered', () => sim.faults.openWatches() > 0 || undefined);
  return res;
}

test('a watch whose reader stops waits for it: bounded unsent bytes, then every event in order', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  let buffered = '';
  // The reader stops: nothing is read while thousands of ~8 KB events are made.
  const res = await pausedPodWatch();
  const drive = await sim.driveEvents({ perSecond: 3000, seconds: 2 });
  const backlog = sim.faults.watchBacklogBytes();
  assert.ok(drive.sent > 2000, `made ${drive.sent} events`);
  // 8 MiB (WATCH_BUFFER_BYTES) plus the one event that crossed it; before, all of them queued.
  assert.ok(backlog <= (8 << 20) + (256 << 10), `unsent bytes ${backlog}`);
  res.setEncoding('utf8');
  res.on('data', (d: string) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  res.resume();
  const events = (): Array<{ type: string; rv: number }> =>
    lines.map((l) => JSON.parse(l) as { type: string; object: { metadata: { resourceVersion: string } } }).filter((e) => e.type !== 'BOOKMARK').map((e) => ({ type: e.type, rv: Number(e.object.metadata.resourceVersion) }));
  await waitFor('every event after the reader resumed', () => events().length >= drive.sent || undefined, 30_000);
  res.destroy();
  const got = events();
  assert.equal(got.length, drive.sent);
  assert.ok(got.every((e, i) => i === 0 || e.rv > (got[i - 1]?.rv ?? 0)), 'resourceVersions in order');
  assert.equal(String(got[got.length - 1]?.rv), drive.lastResourceVersion);
});

test('a waiting watch whose events were compacted away is ended with 410, as a watcher out of the cache window', { timeout: 60_000 }, async () => {
  const res = await pausedPodWatch();
  await sim.driveEvents({ perSecond: 3000, seconds: 2 });
  assert.ok(sim.faults.watchBacklogBytes() > 1 << 20, 'the watch is waiting for its reader');
  sim.faults.compact();
  res.setEncoding('utf8');
  let text = '';
  res.on('data', (d: string) => (text += d));
  res.resume();
  await new Promise<void>((r) => res.once('end', () => r()));
  const lines = text.split('\n').filter((l) => l !== '');
  const last = JSON.parse(lines[lines.length - 1] ?? '{}') as { type?: string; object?: { code?: number; reason?: string } };
  assert.equal(last.type, 'ERROR');
  assert.equal(last.object?.code, 410);
  assert.equal(last.object?.reason, 'Expired');
  const rvs = lines.slice(0, -1).map((l) => JSON.parse(l) as { type: string; object: { metadata: { resourceVersion: string } } }).filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(rvs.length > 0 && rvs.every((rv, i) => i === 0 || rv > (rvs[i - 1] ?? 0)), 'what was sent before is in order');
});
