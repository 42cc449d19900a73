/**
 * The list-watch loop itself, against an in-memory transport and a manually advanced clock:
 * pagination, 410 recovery, bookmarks, idle restarts, audits racing events, a down API server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { AUDIT_CATCH_UP_MS, ListWatch, UNAVAILABLE_RETRY_MS, type ListMode, type ListWatchOptions } from '../../src/source/list-watch.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { FakeTransport, type Reply } from '../support/fake-transport.js';

type Obj = Record<string, unknown>;

const OPTS: ListWatchOptions = { resource: 'pods', path: '/api/v1/pods', pageSize: 2, idleTimeoutMs: 60_000, watchTimeoutSeconds: 300, backoffInitialMs: 1000, backoffMaxMs: 8000 };

const pod = (name: string, rv: number): Obj => ({ metadata: { name, uid: name, resourceVersion: String(rv) } });
const ev = (type: string, name: string, rv: number) => ({ type, object: pod(name, rv) });
const bookmark = (rv: number) => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(rv) } } });

/** A paginated list of `items` at `rv`, `pageSize` per page, continue tokens being offsets. */
function paged(items: Obj[], rv: number): (q: URLSearchParams) => Reply {
  return (q) => {
    const limit = Number(q.get('limit'));
    const from = Number(q.get('continue') ?? 0);
    const next = from + limit < items.length ? String(from + limit) : '';
    return { status: 200, json: { metadata: { resourceVersion: String(rv), continue: next }, items: items.slice(from, from + limit) } };
  };
}

function setup(opts: Partial<ListWatchOptions> = {}, random: () => number = () => 0.5) {
  const clock = new FakeClock(1_000_000);
  const transport = new FakeTransport();
  const self = new SelfStats('test');
  const logs: Array<{ msg: string; reason?: string; retryInMs?: number }> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as { msg: string }) });
  const seen: Array<{ list: ListMode; names: string[] } | { event: string; name: string }> = [];
  const unavailable: number[] = [];
  const name = (o: unknown) => (typeof o === 'object' && o !== null ? String(((o as Obj)['metadata'] as Obj | undefined)?.['name']) : JSON.stringify(o));
  const lw = new ListWatch(
    transport,
    { ...OPTS, ...opts },
    {
      onList: (items, mode) => seen.push({ list: mode, names: items.map(name) }),
      onEvent: (type, object) => seen.push({ event: type, name: name(object) }),
      onUnavailable: (status) => unavailable.push(status),
    },
    self,
    log,
    { clock, random },
  );
  const count = (m: Map<string, number>, ...key: string[]) => m.get(key.join('\u0000')) ?? 0;
  return { clock, transport, self, logs, seen, unavailable, lw, count };
}

test('first list: pages followed by continue tokens; the watch starts at the list\'s resourceVersion', async () => {
  const s = setup();
  s.transport.list = paged([pod('a', 1), pod('b', 2), pod('c', 3), pod('d', 4), pod('e', 5)], 40);
  s.lw.start();
  await s.lw.settled;
  await flush();
  const lists = s.transport.lists();
  assert.deepEqual(lists.map((r) => r.query.get('continue')), [null, '2', '4']);
  assert.ok(lists.every((r) => r.query.get('limit') === '2'));
  assert.deepEqual(s.seen, [{ list: 'initial', names: ['a', 'b', 'c', 'd', 'e'] }]);
  const w = s.transport.watchRequests();
  assert.equal(w.length, 1);
  assert.equal(w[0]!.query.get('resourceVersion'), '40');
  assert.equal(w[0]!.query.get('allowWatchBookmarks'), 'true');
  assert.equal(w[0]!.query.get('timeoutSeconds'), '450', 'watch timeout spread by the injected random source');
  assert.equal(s.count(s.self.lists, 'pods', 'success'), 1);
  assert.equal(s.self.synced.get('pods'), true);
  s.transport.live.line(ev('ADDED', 'f', 41));
  assert.deepEqual(s.seen.at(-1), { event: 'ADDED', name: 'f' });
  await s.lw.stop();
});

test('a 410 on the watch, as an HTTP status or as an ERROR event, relists', async () => {
  const s = setup();
  s.transport.list = paged([pod('a', 1)], 10);
  let watches = 0;
  s.transport.watch = () => (++watches === 1 ? { status: 410, json: { kind: 'Status', code: 410 } } : 'stream');
  s.lw.start();
  await flush();
  assert.deepEqual(s.seen.map((x) => ('list' in x ? x.list : x.event)), ['initial', 'relist']);
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'expired'), 1);
  assert.equal(s.clock.pending, 1, 'only the idle timer: no backoff sleep before the relist');

  s.transport.list = paged([pod('a', 1), pod('b', 12)], 12);
  s.transport.live.line({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } });
  await flush();
  assert.deepEqual(s.seen.at(-1), { list: 'relist', names: ['a', 'b'] });
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'expired'), 2);
  assert.equal(s.transport.watchRequests().at(-1)!.query.get('resourceVersion'), '12');
  assert.equal(s.transport.lists().length, 3);
  await s.lw.stop();
});

test('a 410 on a continue token restarts the list from the top, without duplicates', async () => {
  const s = setup();
  const base = paged([pod('a', 1), pod('b', 2), pod('c', 3), pod('d', 4)], 20);
  let expired = false;
  s.transport.list = (q) => {
    if (q.get('continue') === '2' && !expired) {
      expired = true;
      return { status: 410, json: { kind: 'Status', code: 410, reason: 'Expired', message: 'continue too old' } };
    }
    return base(q);
  };
  s.lw.start();
  await s.lw.settled;
  await flush();
  assert.deepEqual(s.transport.lists().map((r) => r.query.get('continue')), [null, '2', null, '2']);
  assert.deepEqual(s.seen, [{ list: 'initial', names: ['a', 'b', 'c', 'd'] }]);
  assert.equal(s.count(s.self.lists, 'pods', 'error'), 0, 'an expired continue token is not a failed list');
  await s.lw.stop();
});

/** A ListWatch whose prepare step and list requests write one log, in the order they happen. */
function orderSetup(reply: (q: URLSearchParams) => Reply) {
  const clock = new FakeClock(1_000_000);
  const transport = new FakeTransport();
  const order: string[] = [];
  const listed: string[][] = [];
  const name = (o: unknown) => String(((o as Obj)['metadata'] as Obj)['name']);
  transport.list = (q) => {
    order.push(`ask ${q.get('continue') ?? 'first'}`);
    return reply(q);
  };
  const lw = new ListWatch(
    transport,
    OPTS,
    {
      prepare: (raw) => {
        order.push(`prepare ${name(raw)}`);
        return raw;
      },
      onList: (items) => void listed.push(items.map(name)),
      onEvent: () => undefined,
    },
    new SelfStats('test'),
    pino({ level: 'silent' }),
    { clock, random: () => 0.5 },
  );
  return { transport, order, listed, lw };
}

const FIVE = [pod('a', 1), pod('b', 2), pod('c', 3), pod('d', 4), pod('e', 5)];

test('the next page is asked for before the current one\'s items are prepared, one page ahead at most', async () => {
  const base = paged(FIVE, 40);
  // Metadata first, as an API server writes it (the token is read from the head), and after the
  // items (the token is read from the parsed page): the order is the same.
  const layouts: Record<string, (q: URLSearchParams) => Reply> = {
    'metadata first': base,
    'metadata last': (q) => {
      const r = base(q) as { status: number; json: { metadata: unknown; items: unknown } };
      return { status: 200, text: JSON.stringify({ items: r.json.items, metadata: r.json.metadata }) };
    },
  };
  for (const [layout, reply] of Object.entries(layouts)) {
    const s = orderSetup(reply);
    s.lw.start();
    await s.lw.settled;
    await flush();
    // Page 2 is asked for before page 1's items are prepared; page 3 only once page 2 is the one read.
    assert.deepEqual(s.order, ['ask first', 'ask 2', 'prepare a', 'prepare b', 'ask 4', 'prepare c', 'prepare d', 'prepare e'], layout);
    assert.deepEqual(s.listed, [['a', 'b', 'c', 'd', 'e']], layout);
    await s.lw.stop();
  }
});

test('a continue token in the head that the parsed page contradicts is not followed', async () => {
  const base = paged(FIVE, 40);
  // JSON.parse keeps the last of two equal keys: the head says "bogus", the page says "2".
  const s = orderSetup((q) => {
    if (q.get('continue') === null) return { status: 200, text: `{"metadata":{"continue":"bogus"},"items":${JSON.stringify(FIVE.slice(0, 2))},"metadata":{"resourceVersion":"40","continue":"2"}}` };
    if (q.get('continue') === 'bogus') return { status: 200, json: { metadata: { resourceVersion: '40' }, items: [pod('z', 9)] } };
    return base(q);
  });
  s.lw.start();
  await s.lw.settled;
  await flush();
  assert.deepEqual(s.order.filter((x) => x.startsWith('ask')), ['ask first', 'ask bogus', 'ask 2', 'ask 4']);
  assert.deepEqual(s.listed, [['a', 'b', 'c', 'd', 'e']], 'the page asked for on the head\'s word is not taken');
  await s.lw.stop();
});

test('bookmarks advance the resourceVersion the next watch starts from; a server close resumes at once', async () => {
  const s = setup();
  s.transport.list = paged([], 10);
  s.lw.start();
  await flush();
  s.transport.live.line(ev('ADDED', 'a', 11));
  s.transport.live.line(bookmark(50));
  assert.deepEqual(s.seen.at(-1), { event: 'ADDED', name: 'a' }, 'a bookmark is no event');
  s.transport.live.end();
  await flush();
  const w = s.transport.watchRequests();
  assert.equal(w.length, 2, 'resumed without waiting on the clock');
  assert.equal(w[1]!.query.get('resourceVersion'), '50');
  assert.equal(s.transport.lists().length, 1, 'no relist');
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'closed'), 1);
  assert.equal(s.count(s.self.watchEvents, 'pods', 'BOOKMARK'), 1);
  await s.lw.stop();
});

test('a silent watch is restarted after the idle timeout; any data postpones it', async () => {
  const s = setup({ idleTimeoutMs: 60_000 });
  s.transport.list = paged([], 10);
  s.lw.start();
  await flush();
  s.clock.advance(40_000);
  s.transport.live.write('\n'); // a keep-alive counts as life
  s.clock.advance(40_000);
  await flush();
  assert.equal(s.transport.watchRequests().length, 1, '80 s in, but only 40 s silent');
  s.clock.advance(20_000);
  await flush();
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'stalled'), 1);
  assert.ok(s.transport.watches[0]!.destroyed, 'the stalled connection is closed');
  assert.ok(s.logs.some((l) => l.msg.includes('silent past the idle timeout')));
  // A stall backs off like any failure (random 0.5: exactly the initial delay).
  s.clock.advance(999);
  await flush();
  assert.equal(s.transport.watchRequests().length, 1);
  s.clock.advance(1);
  await flush();
  assert.equal(s.transport.watchRequests().length, 2);
  assert.equal(s.transport.watchRequests()[1]!.query.get('resourceVersion'), '10');
  await s.lw.stop();
});

test('an audit racing the watch: events held back, each applied once, in order, around the list at its resourceVersion', async () => {
  const s = setup();
  s.transport.list = paged([pod('a', 5)], 10);
  s.lw.start();
  await flush();
  s.transport.live.line(ev('MODIFIED', 'a', 11));
  let release: (r: Reply) => void = () => undefined;
  s.transport.list = () => new Promise<Reply>((r) => (release = r));
  s.lw.requestAudit();
  await flush();
  // Events arrive while the audit's list is in flight: none may reach the model yet.
  s.transport.live.line(ev('ADDED', 'b', 12));
  s.transport.live.line(ev('MODIFIED', 'b', 13));
  assert.deepEqual(s.seen.at(-1), { event: 'MODIFIED', name: 'a' });
  // The list was taken at 14: the watch has not reached it; more events, then a bookmark past it.
  release({ status: 200, json: { metadata: { resourceVersion: '14' }, items: [pod('a', 11), pod('b', 13), pod('c', 14)] } });
  await flush();
  assert.equal(s.seen.length, 2, 'still held: the watch is at 13, the list at 14');
  s.transport.live.line(ev('ADDED', 'c', 14));
  s.transport.live.line(ev('DELETED', 'a', 15));
  await flush();
  assert.deepEqual(s.seen, [
    { list: 'initial', names: ['a'] },
    { event: 'MODIFIED', name: 'a' },
    { event: 'ADDED', name: 'b' },
    { event: 'MODIFIED', name: 'b' },
    { event: 'ADDED', name: 'c' },
    { list: 'audit', names: ['a', 'b', 'c'] },
    { event: 'DELETED', name: 'a' },
  ]);
  s.transport.live.line(ev('ADDED', 'd', 16));
  assert.deepEqual(s.seen.at(-1), { event: 'ADDED', name: 'd' }, 'after the audit, events flow at once');
  assert.equal(s.transport.watchRequests().length, 1, 'the watch was never ended');
  await s.lw.stop();
});

test('an audit whose watch never catches up gives up after its deadline, applying what it held', async () => {
  const s = setup({ idleTimeoutMs: 10 * 60_000 });
  s.transport.list = paged([], 10);
  s.lw.start();
  await flush();
  s.transport.list = paged([pod('z', 99)], 99);
  s.lw.requestAudit();
  await flush();
  s.transport.live.line(ev('ADDED', 'b', 12));
  assert.equal(s.seen.length, 1);
  s.clock.advance(AUDIT_CATCH_UP_MS);
  await flush();
  assert.deepEqual(s.seen.map((x) => ('list' in x ? x.list : x.name)), ['initial', 'b'], 'held event applied, no audit compared');
  await s.lw.stop();
});

test('an API server that is down: backoff grows within its jitter up to the max, each failed list counted; success resets it', async () => {
  const rs = [0, 0.999, 0.25, 0.75, 0.5, 0.1, 0.9];
  let i = 0;
  const s = setup({ backoffInitialMs: 1000, backoffMaxMs: 8000 }, () => rs[i++ % rs.length]!);
  s.transport.list = () => ({ error: new Error('connect ECONNREFUSED 127.0.0.1:6443') });
  s.lw.start();
  await s.lw.settled;
  const delays: number[] = [];
  for (let k = 0; k < 6; k++) {
    await flush();
    const at = s.clock.nextAt();
    assert.ok(at !== undefined, 'a retry is scheduled');
    delays.push(at - s.clock.now());
    s.clock.advance(at - s.clock.now());
  }
  await flush();
  const bases = [1000, 2000, 4000, 8000, 8000, 8000];
  delays.forEach((d, k) => assert.ok(d >= bases[k]! * 0.8 && d <= bases[k]! * 1.2, `delay ${k} = ${d} within ±20% of ${bases[k]}`));
  assert.ok(new Set(delays.map((d, k) => d / bases[k]!)).size > 1, 'jittered, not fixed');
  assert.equal(s.count(s.self.lists, 'pods', 'error'), 7);
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'error'), 7);
  assert.ok(s.logs.some((l) => l.msg === 'list/watch failed, retrying' && (l as { level?: number }).level === 40), 'warns once failures pile up');
  // Back up: the list lands, the watch opens; the next failure starts from the initial delay.
  s.transport.list = paged([pod('a', 1)], 30);
  s.clock.advance(s.clock.nextAt()! - s.clock.now());
  await flush();
  assert.deepEqual(s.seen, [{ list: 'initial', names: ['a'] }]);
  s.transport.watch = () => ({ status: 500, json: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } });
  s.transport.live.destroy(); // the connection drops: resume at once, which now fails
  await flush();
  const next = s.clock.nextAt()! - s.clock.now();
  assert.ok(next >= 800 && next <= 1200, `reset to the initial delay, got ${next}`);
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'http_500'), 1);
  await s.lw.stop();
});

test('401/403/404 are said once per episode, retried every minute; Retry-After is a floor', async () => {
  const s = setup();
  let denied: Reply = { status: 403, json: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods is forbidden' } };
  s.transport.list = () => denied;
  s.lw.start();
  await s.lw.settled;
  for (let k = 0; k < 3; k++) {
    await flush();
    assert.equal(s.clock.nextAt()! - s.clock.now(), UNAVAILABLE_RETRY_MS);
    s.clock.advance(UNAVAILABLE_RETRY_MS);
  }
  await flush();
  assert.deepEqual(s.unavailable, [403], 'once for the episode');
  assert.ok(!s.logs.some((l) => l.msg === 'list/watch failed, retrying'), 'the handler speaks for it');
  s.transport.list = paged([], 5);
  s.clock.advance(UNAVAILABLE_RETRY_MS);
  await flush();
  assert.equal(s.lw.unavailable, false);
  assert.ok(s.logs.some((l) => l.msg === 'resource available again'));
  // A second episode is said again; a 429's Retry-After outlasts the 1 s backoff.
  denied = { status: 429, json: { kind: 'Status', code: 429 }, headers: { 'Retry-After': '7' } };
  s.transport.watch = () => denied;
  s.transport.live.end();
  await flush();
  assert.equal(s.clock.nextAt()! - s.clock.now(), 7000);
  denied = { status: 401, json: { kind: 'Status', code: 401, reason: 'Unauthorized' } };
  s.clock.advance(7000);
  await flush();
  assert.deepEqual(s.unavailable, [403, 401]);
  await s.lw.stop();
});

test('stop ends a backoff sleep and an open watch; settled resolves on a failed first list', async () => {
  const s = setup();
  s.transport.list = () => ({ status: 500, json: {} });
  s.lw.start();
  await s.lw.settled;
  await s.lw.stop();
  assert.equal(s.clock.pending, 0, 'no timer left behind');
  const t = setup();
  t.lw.start();
  await flush();
  await t.lw.stop();
  assert.ok(t.transport.live.destroyed);
  assert.equal(t.clock.pending, 0);
});

test('lines that are not events are counted by reason, logged once per kind, and skipped; the watch goes on', async () => {
  const s = setup();
  s.transport.list = paged([], 10);
  s.lw.start();
  await flush();
  const junk = ['null', '42', '"s"', 'true', '[]', '{}', '{"type":7}', '{"type":"ERROR"}', '{"type":"ERROR","object":null}', '{"type":"BOOKMARK","object":null}', '{"type":"WHAT"}', 'not json'];
  for (let k = 0; k < 3; k++) for (const j of junk) s.transport.live.write(`${j}\n`);
  s.transport.live.line(ev('ADDED', 'ok', 11));
  await flush();
  const rej = (r: string) => s.count(s.self.rejected, 'pods', r);
  assert.equal(rej('not_an_event'), 3 * 7);
  assert.equal(rej('bad_error_event'), 3 * 2);
  assert.equal(rej('bad_bookmark'), 3);
  assert.equal(rej('unknown_event_type'), 3);
  assert.equal(rej('bad_json'), 3);
  assert.deepEqual(s.seen.at(-1), { event: 'ADDED', name: 'ok' });
  assert.equal(s.transport.watchRequests().length, 1, 'no restart');
  const logged = s.logs.filter((l) => l.reason !== undefined).map((l) => l.reason);
  assert.deepEqual(logged.sort(), ['bad_bookmark', 'bad_error_event', 'bad_json', 'not_an_event', 'unknown_event_type']);
  assert.equal(s.count(s.self.watchEvents, 'pods', 'UNKNOWN'), 3 * 8);
  await s.lw.stop();
});

test('a list body that is not a list fails the list (counted, retried), never taken as empty', async () => {
  const s = setup();
  const bodies: unknown[] = [null, 7, 'x', [], {}, { items: {} }, { items: [null, 1] }];
  let k = 0;
  s.transport.list = () => ({ status: 200, json: bodies[k++] });
  s.lw.start();
  for (let n = 0; n < 6; n++) {
    await flush();
    s.clock.advance(s.clock.nextAt()! - s.clock.now());
  }
  await flush();
  assert.equal(s.count(s.self.rejected, 'pods', 'not_a_list'), 6);
  assert.equal(s.count(s.self.lists, 'pods', 'error'), 6);
  assert.deepEqual(s.seen, [{ list: 'initial', names: ['null', '1'] }], 'items that are null or numbers reach the consumer to be judged');
  await s.lw.stop();
});

test('a handler that throws ends the watch, not the process', async () => {
  const s = setup();
  s.transport.list = paged([], 10);
  let thrown = 0;
  const lw = new ListWatch(s.transport, OPTS, { onList: () => undefined, onEvent: () => { thrown++; throw new Error('bug'); } }, s.self, pino({ level: 'silent' }), { clock: s.clock, random: () => 0.5 });
  lw.start();
  await flush();
  s.transport.live.line(ev('ADDED', 'a', 11));
  await flush();
  assert.equal(thrown, 1);
  assert.equal(s.count(s.self.watchRestarts, 'pods', 'error'), 1);
  await lw.stop();
});

test('the listed items are not kept while the watch after them runs', async () => {
  // A suspended async frame keeps its locals: the list once stayed reachable for the watch's life.
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const clock = new FakeClock(1_000_000);
  const transport = new FakeTransport();
  transport.list = paged([pod('a', 1), pod('b', 2), pod('c', 3)], 10);
  let listed: WeakRef<unknown[]> | undefined;
  const lw = new ListWatch(
    transport,
    OPTS,
    { onList: (items) => void (listed = new WeakRef(items)), onEvent: () => undefined },
    new SelfStats('test'),
    pino({ level: 'silent' }),
    { clock, random: () => 0.5 },
  );
  lw.start();
  await lw.settled;
  await flush();
  assert.equal(transport.watchRequests().length, 1, 'the watch is open');
  assert.ok(listed, 'listed');
  // deref() keeps its target alive to the end of the current job: collect in a later one.
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  assert.equal(listed.deref(), undefined, 'the list is garbage once handed to the store');
  await lw.stop();
});

test('stop() as soon as the first list has settled ends the loop (no watch is left open)', { timeout: 10_000 }, async () => {
  const s = setup();
  s.transport.list = paged([pod('a', 1)], 10);
  s.lw.start();
  await s.lw.settled;
  // No flush: the loop has not reached its watch yet when stop() comes.
  await s.lw.stop();
  await flush();
  assert.equal(s.transport.watchRequests().length, 0, 'no watch opened after stop');
});
