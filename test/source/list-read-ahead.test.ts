/**
 * Reading a paginated list ahead over real sockets (KubeHttp → ListWatch): the next page is asked
 * for while the current one is still arriving, once its first bytes carry the continue token.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { HEAD_BYTES, KubeHttp, loadKubeConfig } from '../../src/source/kube-http.js';
import { ListWatch } from '../../src/source/list-watch.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { kubeconfigYaml } from '../../src/sim/kubeconfig.js';
import { FakeClock } from '../support/fake-clock.js';
import { tempDir } from '../sim/helpers.js';

const pod = (name: string) => ({ metadata: { name, uid: name, resourceVersion: '7', labels: { pad: 'x'.repeat(HEAD_BYTES) } } });

test('page 2 is asked for while page 1 is still being sent, and every item is listed once', { timeout: 20_000 }, async () => {
  const asked: Array<{ cont: string | null; page1Open: boolean }> = [];
  let page1Open = false;
  let secondAsked: () => void = () => undefined;
  const second = new Promise<void>((r) => (secondAsked = r));
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    if (q.get('watch') === '1') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return; // a watch that stays open and quiet
    }
    const cont = q.get('continue');
    asked.push({ cont, page1Open });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (cont === null) {
      page1Open = true;
      // The head and one padded item now; the rest once page 2 is asked for (or after 3 s, so a
      // client that waits for the whole page still finishes, and fails the assertion below).
      res.write(`{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"p2"},"items":[${JSON.stringify(pod('a'))}`);
      const timer = setTimeout(() => secondAsked(), 3000);
      void second.then(() => {
        clearTimeout(timer);
        page1Open = false;
        res.end(`,${JSON.stringify(pod('b'))}]}`);
      });
      return;
    }
    secondAsked();
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [pod('c')] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const tmp = tempDir('read-ahead-');
  const file = join(tmp.dir, 'kubeconfig');
  writeFileSync(file, kubeconfigYaml({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: undefined, token: undefined }));
  const listed: string[][] = [];
  const lw = new ListWatch(
    new KubeHttp(loadKubeConfig({ kubeconfig: file })),
    { resource: 'pods', path: '/api/v1/pods', pageSize: 2, idleTimeoutMs: 60_000, watchTimeoutSeconds: 300, backoffInitialMs: 1000, backoffMaxMs: 8000 },
    { onList: (items) => void listed.push(items.map((i) => String(((i as { metadata: { name: string } }).metadata).name))), onEvent: () => undefined },
    new SelfStats('test'),
    pino({ level: 'silent' }),
    { clock: new FakeClock(0), random: () => 0.5 },
  );
  try {
    lw.start();
    await lw.settled;
    assert.deepEqual(asked, [
      { cont: null, page1Open: false },
      { cont: 'p2', page1Open: true },
    ]);
    assert.deepEqual(listed, [['a', 'b', 'c']]);
  } finally {
    await lw.stop();
    server.closeAllConnections();
    server.close();
    tmp.cleanup();
  }
});
