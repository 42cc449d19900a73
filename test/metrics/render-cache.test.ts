/**
 * The render cache is invisible: after any sequence of changes of every kind (pod events of every
 * state, relists, renames, team labels on pods and namespaces, quotas, SparkApplications, time
 * passing: id gaps expiring, churn windows sliding, retention dropping apps), a renderer that
 * reuses its last body renders exactly what a renderer without a cache renders from the same model,
 * in both formats, through renderModel and through renderBytes with its bodies handed back for
 * reuse. And the cache is not idle: most of a steady body is reused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Model } from '../../src/domain/model.js';
import { TEST_MODEL_OPTIONS as DEFAULT_MODEL_OPTIONS } from '../support/model-options.js';
import { relist } from '../../src/domain/relist.js';
import { parseQuota } from '../../src/domain/quota.js';
import { parseSparkApplication } from '../../src/domain/spark-application.js';
import { parseSparkPod, type SparkPodView } from '../../src/domain/spark-pod.js';
import type { Format } from '../../src/metrics/exposition.js';
import { MetricsRenderer, type RenderOptions } from '../../src/metrics/render.js';
import { parseExposition } from '../../src/metrics/parse-exposition.js';
import { nextTurn } from '../../src/metrics/body-sink.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { deleting, disrupted, oomKilled, quota, running, sparkApplication, sparkPod, terminated, unschedulable, waiting, type Obj } from '../support/pods.js';

const NAMESPACES = ['ns-a', 'ns-b'];
const APP_IDS = ['spark-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'spark-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'spark-cccccccccccccccccccccccccccccccc'];
const APP_NAMES = ['etl', 'etl-rerun', 'nightly'];
const TEAMS = [undefined, 'data-eng', 'ml', 'x"y\\z'];
const STATES: Array<(p: Obj) => Obj> = [
  (p) => p,
  running,
  unschedulable,
  (p) => waiting(p, 'ImagePullBackOff'),
  (p) => oomKilled(running(p)),
  (p) => terminated(running(p), 'Error', 1),
  (p) => terminated(running(p), 'Completed', 0),
  (p) => deleting(running(p)),
  (p) => disrupted(running(p), 'PreemptionByScheduler'),
];

const podArb = fc
  .record({
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.integer({ min: 0, max: APP_IDS.length - 1 }),
    name: fc.constantFrom(...APP_NAMES),
    role: fc.constantFrom('driver' as const, 'executor' as const, 'executor' as const),
    // Ids with holes, so gaps open, fill and expire into skipped ids.
    execId: fc.constantFrom(1, 2, 3, 5, 9),
    team: fc.constantFrom(...TEAMS),
    state: fc.integer({ min: 0, max: STATES.length - 1 }),
    heap: fc.constantFrom('2g', '4g'),
  })
  .map((p) => {
    const uid = `${p.ns}-${p.app}-${p.role === 'driver' ? 'd' : p.execId}`;
    const base = sparkPod({ uid, namespace: p.ns, appId: APP_IDS[p.app], appName: p.name, role: p.role, execId: p.execId, team: p.team, heap: p.heap, memoryRequest: '5Gi', created: '2026-11-25T10:00:00Z' });
    return (STATES[p.state] ?? ((x: Obj) => x))(base);
  });

type Step =
  | { op: 'pod'; kind: 'ADDED' | 'MODIFIED' | 'DELETED'; pod: Obj }
  | { op: 'relist'; pods: Obj[] }
  | { op: 'namespace'; ns: string; team: string | undefined; remove: boolean }
  | { op: 'quota'; ns: string; used: string; remove: boolean }
  | { op: 'sparkapp'; ns: string; name: string; state: string; min: number; remove: boolean }
  | { op: 'time'; ms: number }
  | { op: 'render'; format: Format };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('pod' as const), kind: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const), pod: podArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('relist' as const), pods: fc.array(podArb, { maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('namespace' as const), ns: fc.constantFrom(...NAMESPACES), team: fc.constantFrom(...TEAMS), remove: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('quota' as const), ns: fc.constantFrom(...NAMESPACES), used: fc.constantFrom('10', '18', '20'), remove: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('sparkapp' as const), ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...APP_NAMES), state: fc.constantFrom('RUNNING', 'FAILED', 'COMPLETED'), min: fc.integer({ min: 0, max: 6 }), remove: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('time' as const), ms: fc.constantFrom(500, 5_000, 40_000, 200_000, 700_000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('render' as const), format: fc.constantFrom<Format>('prometheus', 'openmetrics') }) },
);

function apply(model: Model, step: Step, now: number): void {
  const view = (o: Obj): SparkPodView | undefined => {
    const r = parseSparkPod(o, 'team');
    return r.ok ? r.value : undefined;
  };
  switch (step.op) {
    case 'pod': {
      const v = view(step.pod);
      if (v) (step.kind === 'DELETED' ? model.pods.remove(v, now) : model.pods.upsert(v, 'watch', now));
      return;
    }
    case 'relist':
      relist(model.pods, step.pods.map(view).filter((v): v is SparkPodView => v !== undefined), 'relist', now);
      return;
    case 'namespace':
      if (step.remove) model.namespaces.removeKey(step.ns);
      else model.namespaces.upsert({ name: step.ns, team: step.team });
      return;
    case 'quota': {
      const r = parseQuota(quota(step.ns, 'spark', { 'requests.cpu': '20', 'requests.memory': '64Gi' }, { 'requests.cpu': step.used, 'requests.memory': '40Gi' }), 'team');
      assert.ok(r.ok);
      if (step.remove) model.quotas.removeKey(r.value.uid);
      else model.quotas.upsert(r.value);
      return;
    }
    case 'sparkapp': {
      const o = sparkApplication(step.ns, step.name, step.state);
      (o['spec'] as Obj)['dynamicAllocation'] = { enabled: true, minExecutors: step.min };
      const r = parseSparkApplication(o, 'team');
      assert.ok(r.ok);
      if (step.remove) model.sparkApps.removeKey(r.value.uid);
      else model.sparkApps.upsert(r.value, 'watch', now);
      return;
    }
    case 'time':
    case 'render':
      return;
  }
}

/** The render-time histogram is the one family that differs by design: it times each renderer. */
const withoutRenderTimes = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('spark_k8s_exporter_metrics_render_seconds'))
    .join('\n');

test('a cached render equals a fresh render after every kind of change, in both formats', { timeout: 180_000 }, async () => {
  let reused = 0;
  let pieces = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(podArb, { maxLength: 8 }), fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.boolean(), async (initial, steps, podInfo) => {
      const model = new Model({ ...DEFAULT_MODEL_OPTIONS, retentionMs: 600_000, gapGraceMs: 30_000 });
      let now = Date.parse('2026-11-25T10:05:00Z');
      model.namespaces.upsert({ name: 'ns-a', team: 'data-eng' });
      const opts: RenderOptions = { maxLabelLength: 16, churnWindowMs: 300_000, now: () => now, processMetrics: false, podInfo };
      const self = new SelfStats('test');
      const cached = new MetricsRenderer(model, self, opts);
      const fresh = new MetricsRenderer(model, self, { ...opts, cache: false });
      relist(model.pods, initial.map((o) => parseSparkPod(o, 'team')).flatMap((r) => (r.ok ? [r.value] : [])), 'initial', now);
      for (const step of steps) {
        if (step.op === 'time') {
          now += step.ms;
          model.tick(now);
        } else apply(model, step, now);
        const format = step.op === 'render' ? step.format : 'prometheus';
        // The cached renderer also serves renderBytes below, which times itself: that one family aside.
        const want = withoutRenderTimes(fresh.renderModel(format).finish());
        const got = withoutRenderTimes(cached.renderModel(format).finish());
        if (got !== want && process.env["CACHE_DEBUG"]) console.error(diff(got, want));
        assert.equal(got, want, `after ${JSON.stringify(step).slice(0, 200)}`);
        // The serving path: bytes from reused buffers (handed back as the HTTP layer does).
        const body = await cached.renderBytes(format);
        assert.equal(withoutRenderTimes(body.toString('utf8')), want);
        cached.release(body);
        const stats = cached.cacheStats(format);
        reused += stats.reused;
        pieces += stats.reused + stats.rendered;
      }
    }),
    { numRuns: Number(process.env['PROP_RUNS'] ?? 150), seed: Number(process.env['PROP_SEED'] ?? 20261201) },
  );
  assert.ok(reused > pieces / 4, `the cache reused ${reused} of ${pieces} pieces: it should carry most unchanged ones`);
});

/** Every sample line's name and labels, exactly as written: a series appearing twice is a broken body. */
function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const series = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(series)) dups.push(series);
    seen.add(series);
  }
  return dups;
}

test('a render streamed in slices while the model changes between them stays whole, and leaves no stale cache', { timeout: 180_000 }, async () => {
  let midway = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(podArb, { maxLength: 8 }), fc.array(stepArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 64, max: 2048 }), fc.boolean(), async (initial, steps, sliceBytes, leave) => {
      const model = new Model({ ...DEFAULT_MODEL_OPTIONS, retentionMs: 600_000, gapGraceMs: 30_000 });
      let now = Date.parse('2026-11-25T10:05:00Z');
      // Labels long enough that truncation does not merge two series (the property above covers it).
      const opts: RenderOptions = { maxLabelLength: 64, churnWindowMs: 300_000, now: () => now, processMetrics: false };
      const self = new SelfStats('test');
      const cached = new MetricsRenderer(model, self, opts);
      const fresh = new MetricsRenderer(model, self, { ...opts, cache: false });
      relist(model.pods, initial.map((o) => parseSparkPod(o, 'team')).flatMap((r) => (r.ok ? [r.value] : [])), 'initial', now);
      const change = (step: Step): void => {
        if (step.op === 'time') {
          now += step.ms;
          model.tick(now);
        } else apply(model, step, now);
      };
      // A first body to reuse from, then the steps applied one per slice, in the middle of a render.
      cached.release(await cached.stream('prometheus', { write: () => undefined, gone: false }, sliceBytes));
      const pending = [...steps];
      const chunks: Buffer[] = [];
      const sink = {
        gone: false,
        write(chunk: Buffer): void {
          chunks.push(Buffer.from(chunk));
          const step = pending.shift();
          if (step) {
            midway++;
            change(step);
          }
          // A scraper that leaves after the third slice.
          if (leave && chunks.length === 3) this.gone = true;
        },
      };
      const body = await cached.stream('prometheus', sink, sliceBytes);
      if (!sink.gone) {
        const text = Buffer.concat(chunks).toString('utf8');
        assert.ok(body.equals(Buffer.concat(chunks)), 'the slices are the body, in order');
        assert.doesNotThrow(() => parseExposition(text));
        assert.deepEqual(duplicateSeries(text), []);
        cached.release(body);
      }
      for (const step of pending) change(step);
      // Whatever changed while it rendered, or however it ended, the next render is the model's.
      const want = withoutRenderTimes(fresh.renderModel('prometheus').finish());
      assert.equal(withoutRenderTimes(cached.renderModel('prometheus').finish()), want);
      assert.equal(withoutRenderTimes((await cached.renderBytes('prometheus')).toString('utf8')), want);
    }),
    { numRuns: Number(process.env['PROP_RUNS'] ?? 150), seed: Number(process.env['PROP_SEED'] ?? 20261202) },
  );
  assert.ok(midway > 200, `only ${midway} changes landed between two slices`);
});

/** `apps` applications in ns-a of `executors` running executors each, listed at `now`. */
function runningModel(apps: number, executors: number, now: number): Model {
  const model = new Model(DEFAULT_MODEL_OPTIONS);
  for (let a = 0; a < apps; a++) {
    for (let e = 1; e <= executors; e++) {
      const r = parseSparkPod(running(sparkPod({ uid: `u${a}-${e}`, namespace: 'ns-a', appId: `spark-${String(a).padStart(32, '0')}`, appName: `job-${a}`, execId: e })), 'team');
      assert.ok(r.ok);
      model.pods.upsert(r.value, 'initial', now);
    }
  }
  return model;
}

test('a render streamed with nothing changing is the synchronous render, slice by slice', async () => {
  const now = Date.parse('2026-11-25T10:05:00Z');
  const model = runningModel(30, 4, now);
  const opts: RenderOptions = { maxLabelLength: 128, churnWindowMs: 300_000, now: () => now, processMetrics: false };
  const streamed = new MetricsRenderer(model, new SelfStats('t'), opts);
  const chunks: Buffer[] = [];
  // A setImmediate chain counts event-loop turns: each slice should see a later one than the last.
  let turns = 0;
  let done = false;
  const tick = (): void => {
    turns++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  const seen: number[] = [];
  const sink = {
    write: (c: Buffer) => {
      chunks.push(Buffer.from(c));
      seen.push(turns);
    },
    gone: false,
  };
  try {
    for (let i = 0; i < 3; i++) {
      chunks.length = 0;
      seen.length = 0;
      streamed.release(await streamed.stream('prometheus', sink, 4096));
    }
  } finally {
    done = true;
  }
  const want = withoutRenderTimes(new MetricsRenderer(model, new SelfStats('t'), opts).renderModel('prometheus').finish());
  assert.equal(withoutRenderTimes(Buffer.concat(chunks).toString('utf8')), want);
  assert.ok(chunks.length > 10, `${chunks.length} slices`);
  assert.ok(chunks.slice(0, -1).every((c) => c.length >= 4096), 'a slice is at least the size asked, but the last');
  assert.ok(seen.every((t, i) => i === 0 || t > (seen[i - 1] ?? 0)), `the event loop ran between every two slices (${seen.join(',')})`);
  assert.ok(streamed.cacheStats('prometheus').rendered < streamed.cacheStats('prometheus').reused / 10, 'and it reused its last body');
});

test('a render that reuses its last body pauses for the next slice where a fresh one does', async () => {
  const now = Date.parse('2026-11-25T10:05:00Z');
  const model = runningModel(40, 4, now);
  const r = new MetricsRenderer(model, new SelfStats('t'), { maxLabelLength: 128, churnWindowMs: 300_000, now: () => now, processMetrics: false });
  const cuts = async (): Promise<{ at: number[]; body: string }> => {
    const at: number[] = [];
    let offset = 0;
    const body = await r.stream('prometheus', { write: (c) => void at.push((offset += c.length)), gone: false }, 2048);
    const text = body.toString('utf8');
    r.release(body);
    return { at, body: text };
  };
  const fresh = await cuts();
  assert.equal(r.cacheStats('prometheus').reused, 0, 'the first render renders every piece');
  const cached = await cuts();
  assert.ok(r.cacheStats('prometheus').rendered < r.cacheStats('prometheus').reused / 10, 'the second copies nearly everything');
  // The bytes are the same up to the render-time family (its values move); so must the cuts be.
  const stable = fresh.body.indexOf('# HELP spark_k8s_exporter_metrics_render_seconds');
  assert.ok(stable > 20 * 2048, `${stable} bytes before the render times`);
  assert.equal(cached.body.slice(0, stable), fresh.body.slice(0, stable));
  assert.deepEqual(cached.at.filter((a) => a < stable), fresh.at.filter((a) => a < stable));
});

test('overlapping streamed renders of one format never write into a body another still copies from', async () => {
  const now = Date.parse('2026-11-25T10:05:00Z');
  const model = runningModel(40, 3, now);
  const opts: RenderOptions = { maxLabelLength: 128, churnWindowMs: 300_000, now: () => now, processMetrics: false };
  const r = new MetricsRenderer(model, new SelfStats('t'), opts);
  const want = withoutRenderTimes(new MetricsRenderer(model, new SelfStats('t'), opts).renderModel('prometheus').finish());
  const one = async (): Promise<void> => {
    const chunks: Buffer[] = [];
    const body = await r.stream('prometheus', { write: (c) => void chunks.push(Buffer.from(c)), gone: false }, 1024);
    assert.equal(withoutRenderTimes(Buffer.concat(chunks).toString('utf8')), want, 'what was sent');
    assert.equal(withoutRenderTimes(body.toString('utf8')), want, 'the body as handed back');
    // Handed back at once, so the pool offers its memory to the next render that starts.
    r.release(body);
  };
  // The other format, so that bytes written over a body still read would show.
  const wantOm = withoutRenderTimes(new MetricsRenderer(model, new SelfStats('t'), opts).renderModel('openmetrics').finish());
  const whole = async (format: Format): Promise<void> => {
    const body = await r.renderBytes(format);
    assert.equal(withoutRenderTimes(body.toString('utf8')), format === 'prometheus' ? want : wantOm);
    r.release(body);
  };
  await whole('prometheus');
  for (let round = 0; round < 5; round++) {
    // a and b copy from the same cached body; a finishes first and takes the cache's place, so that
    // body is no longer the cache while b still copies from it. A whole render then, in one go, which
    // the pool must not give that body to.
    const a = one();
    // Half of a's slices (the body's tail is the exporter's own families, rendered afresh).
    for (let i = 0; i < want.length / 1024 / 2; i++) await nextTurn();
    const b = one();
    await a;
    await whole('openmetrics');
    await b;
  }
});

test('at steady state only what changed is rendered again', () => {
  const now = Date.parse('2026-11-25T10:05:00Z');
  const model = runningModel(20, 5, now);
  model.namespaces.upsert({ name: 'ns-a', team: 'data-eng' });
  const r = new MetricsRenderer(model, new SelfStats('t'), { maxLabelLength: 128, churnWindowMs: 300_000, now: () => now, processMetrics: false });
  r.renderModel('prometheus');
  const first = r.cacheStats('prometheus');
  assert.equal(first.reused, 0);
  r.renderModel('prometheus');
  const idle = r.cacheStats('prometheus');
  assert.equal(idle.rendered, 0, 'nothing changed: every application piece is reused');
  assert.ok(idle.reused >= first.rendered - 20, `${idle.reused} reused of ${first.rendered}`);
  const v = parseSparkPod(unschedulable(sparkPod({ uid: 'u3-9', namespace: 'ns-a', appId: `spark-${String(3).padStart(32, '0')}`, appName: 'job-3', execId: 9 })), 'team');
  assert.ok(v.ok);
  model.pods.upsert(v.value, 'watch', now);
  r.renderModel('prometheus');
  const one = r.cacheStats('prometheus');
  // One application's families again (its pending age reads the clock, so it is never reused).
  assert.ok(one.rendered > 0 && one.rendered <= first.rendered / 20 + 2, `rendered ${one.rendered} pieces after one app changed`);
});

test('applications removed in a run, or added, leave every other application reused', () => {
  const now = Date.parse('2026-11-25T10:05:00Z');
  const model = runningModel(20, 2, now);
  const r = new MetricsRenderer(model, new SelfStats('t'), { maxLabelLength: 128, churnWindowMs: 300_000, now: () => now, processMetrics: false });
  r.renderModel('prometheus');
  r.renderModel('prometheus');
  const perApp = r.cacheStats('prometheus').reused / 20;
  // Six applications in a row end and are dropped by the retention: more than a cursor looks ahead.
  for (let a = 3; a < 9; a++) {
    for (let e = 1; e <= 2; e++) {
      const v = parseSparkPod(running(sparkPod({ uid: `u${a}-${e}`, namespace: 'ns-a', appId: `spark-${String(a).padStart(32, '0')}`, appName: `job-${a}`, execId: e })), 'team');
      assert.ok(v.ok);
      model.pods.remove(v.value, now);
    }
  }
  const later = now + DEFAULT_MODEL_OPTIONS.retentionMs + 1;
  model.tick(later);
  assert.equal(model.pods.apps.size, 14);
  const v = parseSparkPod(running(sparkPod({ uid: 'new-1', namespace: 'ns-a', appId: `spark-${'f'.repeat(32)}`, appName: 'job-new', execId: 1 })), 'team');
  assert.ok(v.ok);
  model.pods.upsert(v.value, 'watch', later);
  r.renderModel('prometheus');
  const after = r.cacheStats('prometheus');
  // Every one of the 14 applications left is copied, not rendered again.
  assert.ok(after.reused >= 13 * perApp, `reused ${after.reused} pieces; ${14 * perApp} expected of the applications left`);
});

function diff(got: string, want: string): string {
  const a = new Set(got.split('\n'));
  const b = new Set(want.split('\n'));
  return [...[...a].filter((l) => !b.has(l)).map((l) => `+ ${l}`), ...[...b].filter((l) => !a.has(l)).map((l) => `- ${l}`)].join('\n');
}
