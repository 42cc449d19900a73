/**
 * One render of every catalogue family, in catalogue order, reusing the bytes of the previous
 * render wherever their inputs did not change, as kube-state-metrics keeps each object's rendered
 * lines: at 150k pods a body is ~50 MB, nearly all of it the same from one scrape to the next,
 * and encoding it again was most of a scrape (docs/scale.md, "Profile").
 *
 * Reused: an application family's lines for one application while the application's `version`,
 * its encoded labels (team and name included) and the model parts its renderer declares it reads
 * are unchanged, provided that rendering read nothing else of the context; and the `out.memo`
 * pieces of cluster families while their stamp is unchanged. Everything else is rendered afresh.
 */
import { APP_LABELS, CATALOGUE, type MetricDef, type MetricName } from '../catalogue/metrics.js';
import type { AppRecord } from '../domain/app-record.js';
import type { Model } from '../domain/model.js';
import type { ExpositionWriter, LabelEncoder } from './exposition.js';
import { RENDERERS } from './families.js';
import { FamilyBinder, FIXED_CONTEXT, type Memo, type RenderContext, type Renderers } from './family.js';

/** The model parts an application renderer may declare it reads (`clock` is never reused). */
const PARTS = ['quotas', 'sparkapps', 'namespaces'] as const;
type Part = (typeof PARTS)[number];

function partVersion(model: Model, part: Part): number {
  switch (part) {
    case 'quotas':
      return model.quotas.version;
    case 'sparkapps':
      return model.sparkApps.version;
    case 'namespaces':
      return model.namespaces.version;
  }
}

/**
 * One render's applications, in the order rendered, as columns: the previous render's are found
 * by position (see `Aligned`). Objects or a map per application were most of what each render
 * left for the collector to promote (~1 MB a render at 150k pods), and the old generation's
 * collections that followed, every 2-3 s, were the slowest scrapes (docs/scale.md).
 */
interface AppTable {
  readonly apps: readonly AppRecord[];
  /** Each application's `version` when the render started. */
  readonly versions: Float64Array;
  /** The team and name its labels were encoded from: while both are the same, so are the labels. */
  readonly teams: readonly string[];
  readonly names: readonly string[];
  readonly labels: readonly string[];
  /** Start and end in the body of application `i`'s family `slot` at `2 * (SLOTS * i + slot)`; -1: not reusable. */
  readonly spans: Int32Array;
}

/** One cluster family's memo pieces, in the order rendered. */
interface MemoTable {
  readonly keys: readonly object[];
  readonly stamps: Float64Array;
  readonly tags: readonly string[];
  /** Start and end of piece `j` in the body at `2 * j`. */
  readonly spans: Int32Array;
}

/** What a render leaves for the next one of the same format: its body and its reusable pieces. */
export interface RenderCache {
  readonly body: Buffer;
  /** The PARTS' versions at that render. */
  readonly parts: readonly number[];
  readonly apps: AppTable;
  readonly memos: ReadonlyMap<string, MemoTable>;
  /** Pieces (one application's family, or one memo) copied from the previous body, and rendered. */
  readonly reused: number;
  readonly rendered: number;
}

/** Keys looked at before a map of the previous order is built (a few removed in a row). */
const LOOKAHEAD = 4;

/**
 * A key's index in the previous render's order, found in step with it: applications and names
 * keep the model's insertion order from one render to the next, so a cursor finds nearly every
 * one; a map of the previous order is built only once the order is broken (a key added, or more
 * than a few removed in a row).
 */
class Aligned<K> {
  private at = 0;
  private index: Map<K, number> | undefined;

  constructor(private readonly keys: readonly K[]) {}

  find(key: K): number {
    const keys = this.keys;
    const stop = Math.min(keys.length, this.at + LOOKAHEAD);
    for (let k = this.at; k < stop; k++) {
      if (keys[k] === key) {
        this.at = k + 1;
        return k;
      }
    }
    if (!this.index) {
      this.index = new Map();
      for (let k = 0; k < keys.length; k++) this.index.set(keys[k] as K, k);
    }
    const i = this.index.get(key);
    if (i === undefined) return -1;
    this.at = i + 1;
    return i;
  }
}

/** A memo table being filled: typed columns grown by doubling, sized from the last render's. */
class MemoColumns {
  readonly keys: object[] = [];
  readonly tags: string[] = [];
  private stamps: Float64Array;
  private spans: Int32Array;

  constructor(capacity: number) {
    this.stamps = new Float64Array(Math.max(16, capacity));
    this.spans = new Int32Array(2 * Math.max(16, capacity));
  }

  add(key: object, stamp: number, tag: string, start: number, end: number): void {
    const j = this.keys.length;
    if (j === this.stamps.length) {
      const stamps = new Float64Array(2 * j);
      stamps.set(this.stamps);
      this.stamps = stamps;
      const spans = new Int32Array(4 * j);
      spans.set(this.spans);
      this.spans = spans;
    }
    this.keys.push(key);
    this.tags.push(tag);
    this.stamps[j] = stamp;
    this.spans[2 * j] = start;
    this.spans[2 * j + 1] = end;
  }

  table(): MemoTable {
    return { keys: this.keys, tags: this.tags, stamps: this.stamps, spans: this.spans };
  }
}

type AppRender = (app: AppRecord, out: unknown, ctx: RenderContext, team: string) => void;
type ClusterRender = (ctx: RenderContext, out: unknown) => void;

/** The context as an application renderer sees it: a read of what can change is noted. */
class ReadTracker {
  read = false;
  readonly ctx: RenderContext;

  constructor(real: RenderContext, modelDeclared: boolean) {
    const view: Record<string, unknown> = {};
    for (const k of Object.keys(real) as Array<keyof RenderContext>) {
      if (FIXED_CONTEXT.has(k) || (modelDeclared && k === 'model')) view[k] = real[k];
      else {
        Object.defineProperty(view, k, {
          enumerable: true,
          get: () => {
            this.read = true;
            return real[k];
          },
        });
      }
    }
    this.ctx = view as unknown as RenderContext;
  }
}

const SLOTS = (CATALOGUE as readonly MetricDef[]).filter((d) => RENDERERS[d.name as MetricName].scope !== 'cluster').length;

/**
 * Renders every family into `w`; `prev` is what the last render of the same format returned.
 * It pauses (`yield`) at the first application or family boundary after each
 * `sliceBytes` written, so the caller can send what is written and let the event loop run. Between
 * two slices the model may change: each application's family is still rendered from one state, and
 * a piece rendered from a state newer than the application's `version` taken at the start is only
 * rendered again next time, never reused stale (versions only grow).
 */
export function* renderInSlices(ctx: RenderContext, w: ExpositionWriter, enc: LabelEncoder, prev: RenderCache | undefined, sliceBytes: number): Generator<void, RenderCache, void> {
  let mark = 0;
  const due = (): boolean => {
    if (w.offset() - mark < sliceBytes) return false;
    mark = w.offset();
    return true;
  };
  const { model } = ctx;
  const parts = PARTS.map((p) => partVersion(model, p));
  const count = model.pods.apps.size;
  const apps: AppRecord[] = new Array<AppRecord>(count);
  const teams: string[] = new Array<string>(count);
  const names: string[] = new Array<string>(count);
  const labels: string[] = new Array<string>(count);
  const versions = new Float64Array(count);
  // The previous render's index of each application whose pieces may be reused, or -1.
  const from = new Int32Array(count).fill(-1);
  const spans = new Int32Array(count * 2 * SLOTS).fill(-1);
  const before = prev ? new Aligned(prev.apps.apps) : undefined;
  let n = 0;
  for (const app of model.pods.apps.values()) {
    const team = model.teamOf(app);
    const j = prev && before ? before.find(app) : -1;
    const same = prev !== undefined && j >= 0 && prev.apps.teams[j] === team && prev.apps.names[j] === app.appName;
    apps[n] = app;
    teams[n] = team;
    names[n] = app.appName;
    labels[n] = same ? (prev.apps.labels[j] as string) : enc.pairs(APP_LABELS, [app.namespace, team, app.appId, app.appName]);
    versions[n] = app.version;
    if (same && prev.apps.versions[j] === app.version) from[n] = j;
    n++;
  }
  const memos = new Map<string, MemoTable>();
  let reused = 0;
  let rendered = 0;
  let slot = 0;
  // One tracker each for renderers that declare model parts and those that do not, for the render.
  const trackers: Partial<Record<'declared' | 'undeclared', ReadTracker>> = {};
  for (const def of CATALOGUE as readonly MetricDef[]) {
    w.family(def);
    const r = RENDERERS[def.name as MetricName] as Renderers[MetricName];
    if (r.scope === 'cluster') {
      const old = prev?.memos.get(def.name);
      const keys = old ? new Aligned(old.keys) : undefined;
      const after = new MemoColumns(old?.keys.length ?? 0);
      const memo: Memo['memo'] = (key, stamp, tag, fill) => {
        const j = old && keys ? keys.find(key) : -1;
        if (prev && old && j >= 0 && old.stamps[j] === stamp && old.tags[j] === tag) {
          const start = old.spans[2 * j] ?? 0;
          const end = old.spans[2 * j + 1] ?? start;
          const at = w.copy(prev.body, start, end);
          after.add(key, stamp, tag, at, at + end - start);
          reused++;
          return;
        }
        rendered++;
        const at = w.offset();
        fill();
        after.add(key, stamp, tag, at, w.offset());
      };
      (r.render as ClusterRender)(ctx, new FamilyBinder(def, w, enc, false, memo).out);
      memos.set(def.name, after.table());
      if (due()) yield;
      continue;
    }
    const s = 2 * slot++;
    const reads = r.reads ?? [];
    const never = reads.includes('clock');
    const declared = PARTS.map((p, k) => (reads.includes(p) ? k : -1)).filter((k) => k >= 0);
    // Every piece of the last render was kept against the same part versions: one check a family.
    const partsSame = prev !== undefined && declared.every((k) => prev.parts[k] === parts[k]);
    const kind = declared.length > 0 ? 'declared' : 'undeclared';
    const tracker = (trackers[kind] ??= new ReadTracker(ctx, kind === 'declared'));
    const binder = new FamilyBinder(def, w, enc, r.scope === 'app');
    const render = r.render as AppRender;
    for (let i = 0; i < n; i++) {
      const app = apps[i] as AppRecord;
      const out = r.scope === 'app' ? binder.forApp(labels[i] as string).out : binder.out;
      if (never) {
        rendered++;
        render(app, out, ctx, teams[i] ?? '');
        if (due()) yield;
        continue;
      }
      const j = partsSame ? (from[i] ?? -1) : -1;
      const start = prev && j >= 0 ? (prev.apps.spans[2 * SLOTS * j + s] ?? -1) : -1;
      if (prev && start >= 0) {
        const end = prev.apps.spans[2 * SLOTS * j + s + 1] ?? start;
        const at = w.copy(prev.body, start, end);
        spans[2 * SLOTS * i + s] = at;
        spans[2 * SLOTS * i + s + 1] = at + end - start;
        reused++;
        if (due()) yield;
        continue;
      }
      rendered++;
      const at = w.offset();
      tracker.read = false;
      render(app, out, tracker.ctx, teams[i] ?? '');
      if (!tracker.read) {
        spans[2 * SLOTS * i + s] = at;
        spans[2 * SLOTS * i + s + 1] = w.offset();
      }
      if (due()) yield;
    }
  }
  return { body: w.written(), parts, apps: { apps, versions, teams, names, labels, spans }, memos, reused, rendered };
}
