/**
 * Property-based: random and mutated pods and quotas, in random event sequences (ADDED, MODIFIED,
 * DELETED, relists), go through the exporter's own parse → model → render path. Whatever arrives:
 * nothing throws, counters never go down, no counter exceeds what the events could justify, label
 * values stay bounded, and the exposition parses with no NaN, infinite or negative value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { Model } from '../../src/domain/model.js';
import { TEST_MODEL_OPTIONS as DEFAULT_MODEL_OPTIONS } from '../support/model-options.js';
import { relist } from '../../src/domain/relist.js';
import { parseQuota } from '../../src/domain/quota.js';
import { parseSparkPod, type SparkPodView } from '../../src/domain/spark-pod.js';
import { MetricsRenderer } from '../../src/metrics/render.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { ListWatch } from '../../src/source/list-watch.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { FakeTransport } from '../support/fake-transport.js';
import { parseExposition } from '../support/exposition.js';
import { deleting, disrupted, oomKilled, quota, running, sparkPod, terminated, unschedulable, waiting, type Obj } from '../support/pods.js';
import { assertSane } from '../support/sim-pair.js';

const MAX_LABEL = 32;

// Values an API object could carry where a field was expected: JSON only, as it comes off the wire.
const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '"}\n# EOF', 'a\\"b\\\\c\nd', '\u0000\u202e\ud83d\ude00', 'x'.repeat(5000), 'é'.repeat(300)),
  fc.constantFrom('-5Gi', '1e400', '9999999Ei', '0', 'NaN', 'Infinity', '-1', '1.5.5', '500m', '1e-30', '0.000001n'),
  fc.constantFrom('1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-13-45T99:00:00Z', '-000001-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 'yesterday'),
  fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating', 'running', 'driver', 'executor', 'OOMKilled', 'Evicted'),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53, 0.5, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const PATHS = [
  'metadata', 'metadata.uid', 'metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.labels.spark-role',
  'metadata.labels.spark-app-selector', 'metadata.labels.spark-exec-id', 'metadata.labels.team', 'metadata.labels.spark-app-name',
  'metadata.creationTimestamp', 'metadata.deletionTimestamp', 'spec', 'spec.containers', 'spec.containers.0.name',
  'spec.containers.0.resources.requests.memory', 'spec.containers.0.resources.limits.memory', 'spec.containers.0.resources.requests.cpu',
  'spec.containers.0.env', 'status', 'status.phase', 'status.reason', 'status.conditions', 'status.containerStatuses',
  'status.containerStatuses.0.state', 'status.containerStatuses.0.restartCount', 'status.containerStatuses.0.lastState',
  'status.containerStatuses.0.state.terminated.reason', 'status.containerStatuses.0.state.running.startedAt',
];
const QUOTA_PATHS = ['metadata', 'metadata.uid', 'metadata.namespace', 'spec.hard', 'status', 'status.hard', 'status.used', 'status.hard.requests.cpu', 'status.used.requests.memory', 'status.used.pods', 'metadata.labels.team'];

function setPath(o: Obj, path: string, v: unknown): void {
  // Keys such as `requests.cpu` contain dots: the last two segments may be one key.
  const parts = path.split('.');
  let cur: unknown = o;
  for (let i = 0; i < parts.length - 1; i++) {
    if (typeof cur !== 'object' || cur === null) return;
    const k = parts[i] ?? '';
    if ((k === 'hard' || k === 'used') && i === parts.length - 3) {
      cur = (cur as Record<string, unknown>)[k];
      if (typeof cur === 'object' && cur !== null) (cur as Record<string, unknown>)[parts.slice(i + 1).join('.')] = v;
      return;
    }
    cur = (cur as Record<string, unknown>)[k];
  }
  if (typeof cur !== 'object' || cur === null) return;
  const last = parts[parts.length - 1] ?? '';
  if (v === undefined) delete (cur as Record<string, unknown>)[last];
  else (cur as Record<string, unknown>)[last] = v;
}

const UIDS = ['u1', 'u2', 'u3', 'u4', 'u5'];
const APPS = ['spark-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'spark-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'];
const STATES: Array<(p: Obj) => Obj> = [(p) => p, running, unschedulable, (p) => waiting(p, 'ImagePullBackOff'), (p) => oomKilled(running(p)), (p) => terminated(running(p), 'Error', 1), (p) => terminated(running(p), 'Completed', 0), (p) => deleting(running(p)), (p) => disrupted(running(p), 'PreemptionByScheduler')];

/** A realistic pod (few uids, so events collide on the same pod), maybe mutated. */
const podArb = fc
  .record({
    uid: fc.constantFrom(...UIDS),
    app: fc.constantFrom(...APPS),
    role: fc.constantFrom('driver' as const, 'executor' as const, 'executor' as const),
    execId: fc.integer({ min: 1, max: 12 }),
    state: fc.integer({ min: 0, max: STATES.length - 1 }),
    mutations: fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.option(hostileValue, { nil: undefined })), { maxLength: 3 }),
  })
  .map(({ uid, app, role, execId, state, mutations }) => {
    const p = (STATES[state] ?? ((x: Obj) => x))(sparkPod({ uid, appId: app, role, execId, team: 'data-eng' }));
    for (const [path, v] of mutations) setPath(p, path, v);
    return p;
  });

const quotaArb = fc
  .record({ uid: fc.constantFrom('q1', 'q2'), mutations: fc.array(fc.tuple(fc.constantFrom(...QUOTA_PATHS), fc.option(hostileValue, { nil: undefined })), { maxLength: 3 }) })
  .map(({ uid, mutations }) => {
    const q = quota('analytics', `quota-${uid}`, { 'requests.cpu': '20', 'requests.memory': '64Gi', pods: '50' }, { 'requests.cpu': '18', 'requests.memory': '40Gi', pods: '10' });
    (q['metadata'] as Obj)['uid'] = uid;
    for (const [path, v] of mutations) setPath(q, path, v);
    return q;
  });

type Step = { op: 'ADDED' | 'MODIFIED' | 'DELETED'; pod: Obj } | { op: 'relist'; pods: Obj[] } | { op: 'quota'; quota: Obj } | { op: 'raw'; value: unknown };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const), pod: podArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('relist' as const), pods: fc.array(podArb, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('quota' as const), quota: quotaArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('raw' as const), value: hostileValue }) },
);

const COUNTERS = /_total$|_count$|_bucket$|_sum$/;

test('any sequence of hostile or mutated objects: no throw, monotonic and justified counters, sane exposition', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.array(podArb, { maxLength: 4 }), fc.array(stepArb, { minLength: 1, maxLength: 25 }), (initial, steps) => {
      const model = new Model({ ...DEFAULT_MODEL_OPTIONS, retentionMs: 24 * 3600_000 });
      const self = new SelfStats('test');
      let now = Date.parse('2026-11-25T10:05:00Z');
      const renderer = new MetricsRenderer(model, self, { maxLabelLength: MAX_LABEL, churnWindowMs: 300_000, now: () => now, processMetrics: false });
      // What the events could justify: one start and one exit per executor lifecycle (a uid
      // appearing while the model does not hold it), one OOMKill per distinct kill in a lifecycle.
      let lifecycles = 0;
      const lifecycleOf = new Map<string, number>();
      const oomKeys = new Set<string>();
      const parse = (o: unknown): SparkPodView | undefined => {
        const r = parseSparkPod(o, 'team');
        if (!r.ok) return undefined;
        const v = r.value;
        if (!model.pods.has(v.uid)) {
          lifecycleOf.set(v.uid, ++lifecycles);
        }
        for (const k of v.oomKills) oomKeys.add(`${lifecycleOf.get(v.uid) ?? 0}/${k.key}`);
        return v;
      };
      const views = (objs: Obj[]) => objs.map(parse).filter((v): v is SparkPodView => v !== undefined);
      relist(model.pods, views(initial), 'initial', now);
      let prev = new Map<string, number>();
      for (const step of steps) {
        now += 1000;
        switch (step.op) {
          case 'ADDED':
          case 'MODIFIED': {
            const v = parse(step.pod);
            if (v) model.pods.upsert(v, 'watch', now);
            break;
          }
          case 'DELETED': {
            const v = parse(step.pod);
            if (v) model.pods.remove(v, now);
            break;
          }
          case 'relist':
            relist(model.pods, views(step.pods), 'relist', now);
            break;
          case 'quota': {
            const r = parseQuota(step.quota, 'team');
            if (r.ok) model.quotas.upsert(r.value);
            break;
          }
          case 'raw':
            assert.equal(parseSparkPod(step.value, 'team').ok, false, 'a bare value is never a pod');
            assert.equal(parseQuota(step.value, 'team').ok, false, 'nor a quota');
            break;
        }
        model.tick(now);
        const text = renderer.renderModel('prometheus').finish();
        const p = parseExposition(text);
        assertSane(p, MAX_LABEL);
        const cur = new Map<string, number>();
        let starts = 0;
        let exits = 0;
        let ooms = 0;
        for (const s of p.samples) {
          if (s.name === 'spark_k8s_executor_starts_total') starts += s.value;
          if (s.name === 'spark_k8s_executor_exits_total') exits += s.value;
          if (s.name === 'spark_k8s_container_oom_kills_total') ooms += s.value;
          if (COUNTERS.test(s.name)) cur.set(`${s.name}${JSON.stringify(s.labels)}`, s.value);
        }
        for (const [k, v] of cur) {
          const before = prev.get(k);
          if (before !== undefined) assert.ok(v >= before, `${k} went down: ${before} → ${v}`);
        }
        prev = cur;
        assert.ok(starts <= lifecycles, `starts ${starts} > pod lifecycles seen ${lifecycles}`);
        assert.ok(exits <= lifecycles, `exits ${exits} > pod lifecycles seen ${lifecycles}`);
        assert.ok(ooms <= oomKeys.size, `OOMKills ${ooms} > distinct OOMKills seen ${oomKeys.size}`);
      }
    }),
    { numRuns: Number(process.env["PROP_RUNS"] ?? 400), seed: Number(process.env["PROP_SEED"] ?? 20261125) },
  );
});

test('the same hostile objects through OpenMetrics: it parses and ends with # EOF', () => {
  fc.assert(
    fc.property(fc.array(podArb, { maxLength: 8 }), (objs) => {
      const model = new Model(DEFAULT_MODEL_OPTIONS);
      const now = Date.parse('2026-11-25T10:05:00Z');
      for (const o of objs) {
        const r = parseSparkPod(o, 'team');
        if (r.ok) model.pods.upsert(r.value, 'watch', now);
      }
      const text = new MetricsRenderer(model, new SelfStats('t'), { maxLabelLength: MAX_LABEL, churnWindowMs: 300_000, now: () => now, processMetrics: false }).renderModel('openmetrics').finish();
      assert.ok(text.endsWith('# EOF\n'));
      assertSane(parseExposition(text), MAX_LABEL);
    }),
    { numRuns: 200, seed: 7 },
  );
});

// ---- the watch loop under arbitrary JSON ------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const anyType = fc.oneof(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'), fc.string({ maxLength: 8 }));
/** Event-shaped values with arbitrary parts, and plain arbitrary JSON values. */
const lineArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.record({ type: anyType, object: fc.oneof(fc.jsonValue({ maxDepth: 2 }), podArb) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('BOOKMARK'), object: fc.record({ metadata: fc.record({ resourceVersion: fc.oneof(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })) }) }) }) },
);

/** What a line must come to, judged independently of the decoder: delivered, ends the watch, or a rejection reason. */
function expected(v: unknown): 'event' | 'bookmark' | 'ends' | string {
  if (!isRecord(v) || typeof v['type'] !== 'string') return 'not_an_event';
  const o = v['object'];
  switch (v['type']) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return 'event';
    case 'BOOKMARK':
      return isRecord(o) && isRecord(o['metadata']) && typeof o['metadata']['resourceVersion'] === 'string' ? 'bookmark' : 'bad_bookmark';
    case 'ERROR':
      return isRecord(o) ? 'ends' : 'bad_error_event';
    default:
      return 'unknown_event_type';
  }
}

test('any JSON value as a watch line or a list item: the loop never throws, every unusable one is counted', { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), fc.array(lineArb, { minLength: 1, maxLength: 30 }), async (items, firstBody, lines) => {
      const clock = new FakeClock(0);
      const transport = new FakeTransport();
      const self = new SelfStats('test');
      let lists = 0;
      // The first list answer is any JSON value as the body; after it a list of arbitrary items.
      const firstIsList = isRecord(firstBody) && (firstBody['items'] === null || Array.isArray(firstBody['items']));
      let served = 0;
      transport.list = () => {
        const body = ++lists === 1 ? firstBody : { metadata: { resourceVersion: '10' }, items };
        if (lists > 1 || firstIsList) served += (isRecord(body) && Array.isArray(body['items']) ? body['items'] : []).length;
        return { status: 200, json: body };
      };
      let accepted = 0;
      let itemRejects = 0;
      let delivered = 0;
      const lw = new ListWatch(
        transport,
        { resource: 'pods', path: '/api/v1/pods', pageSize: 500, idleTimeoutMs: 60_000, watchTimeoutSeconds: 300, backoffInitialMs: 100, backoffMaxMs: 1000 },
        {
          prepare: (raw) => {
            const r = parseSparkPod(raw, 'team');
            if (r.ok) return r.value;
            itemRejects++;
            return undefined;
          },
          onList: (views) => (accepted += views.length),
          onEvent: () => void delivered++,
        },
        self,
        pino({ level: 'silent' }),
        { clock, random: () => 0.5 },
      );
      const errors: unknown[] = [];
      const onError = (e: unknown) => errors.push(e);
      process.on('uncaughtException', onError);
      try {
        lw.start();
        /** Runs timers until a live watch is open. */
        const untilWatching = async () => {
          for (let k = 0; k < 10; k++) {
            await flush(2);
            const live = transport.watches.at(-1);
            if (live && !live.destroyed) return live;
            clock.advance((clock.nextAt() ?? clock.now()) - clock.now());
          }
          throw new Error('no watch opened');
        };
        let live = await untilWatching();
        const want = new Map<string, number>();
        let ends = 0;
        for (const v of lines) {
          const e = expected(v);
          want.set(e, (want.get(e) ?? 0) + 1);
          if (e === 'ends') ends++;
          live.line(JSON.stringify(v));
          if (live.destroyed) live = await untilWatching();
        }
        const rejected = (reason: string) => self.rejected.get(`pods\u0000${reason}`) ?? 0;
        for (const reason of ['not_an_event', 'unknown_event_type', 'bad_bookmark', 'bad_error_event']) assert.equal(rejected(reason), want.get(reason) ?? 0, reason);
        assert.equal(rejected('bad_json'), 0, 'JSON.stringify always gives JSON');
        assert.equal(delivered, lines.filter((v) => expected(v) === 'event').length, 'each object event delivered once');
        assert.equal(transport.watches.length, 1 + ends, 'only an ERROR with an object ends a watch');
        assert.equal(rejected('not_a_list'), firstIsList ? 0 : 1, 'a body that is no list is counted, not taken as empty');
        assert.ok(lists >= (firstIsList ? 1 : 2), 'a failed list is retried');
        assert.equal(accepted + itemRejects, served, 'every list item judged once per list');
        assert.deepEqual(errors, []);
      } finally {
        await lw.stop();
        process.off('uncaughtException', onError);
      }
    }),
    { numRuns: Number(process.env['PROP_RUNS'] ?? 200), seed: Number(process.env['PROP_SEED'] ?? 20261201) },
  );
});
