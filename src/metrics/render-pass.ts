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

interface AppPieces {
  readonly version: number;
  /** The team and name its labels were encoded from: while both are the same, so are the labels. */
  readonly team: string;
  readonly name: string;
  readonly labels: string;
  /**
   * Start and end in the body per application family (catalogue order) at `[base + 2 * slot]`;
   * -1: not reusable. One array for every application of a render: one per application was the
   * render's largest cost after the copy (3,000 allocations a scrape, each with its own backing).
   */
  readonly spans: Int32Array;
  readonly base: number;
}

interface MemoPiece {
  readonly stamp: string | number;
  readonly start: number;
  readonly end: number;
}

/** What a render leaves for the next one of the same format: its body and its reusable pieces. */
export interface RenderCache {
  readonly body: Buffer;
  /** The PARTS' versions at that render. */
  readonly parts: readonly number[];
  readonly apps: ReadonlyMap<AppRecord, AppPieces>;
  readonly memos: ReadonlyMap<string, ReadonlyMap<object, MemoPiece>>;
  /** Pieces (one application's family, or one memo) copied from the previous body, and rendered. */
  readonly reused: number;
  readonly rendered: number;
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
  const apps: AppRecord[] = [];
  const teams: string[] = [];
  const mine: AppPieces[] = [];
  const reusable: Array<AppPieces | undefined> = [];
  const spans = new Int32Array(model.pods.apps.size * 2 * SLOTS).fill(-1);
  for (const app of model.pods.apps.values()) {
    const team = model.teamOf(app);
    const old = prev?.apps.get(app);
    const same = old !== undefined && old.team === team && old.name === app.appName;
    const labels = same ? old.labels : enc.pairs(APP_LABELS, [app.namespace, team, app.appId, app.appName]);
    apps.push(app);
    teams.push(team);
    reusable.push(same && old.version === app.version ? old : undefined);
    mine.push({ version: app.version, team, name: app.appName, labels, spans, base: 2 * SLOTS * mine.length });
  }
  const memos = new Map<string, Map<object, MemoPiece>>();
  let reused = 0;
  let rendered = 0;
  let slot = 0;
  for (const def of CATALOGUE as readonly MetricDef[]) {
    w.family(def);
    const r = RENDERERS[def.name as MetricName] as Renderers[MetricName];
    if (r.scope === 'cluster') {
      const before = prev?.memos.get(def.name);
      const after = new Map<object, MemoPiece>();
      memos.set(def.name, after);
      const memo: Memo['memo'] = (key, stamp, fill) => {
        const old = before?.get(key);
        if (prev && old && old.stamp === stamp) {
          const at = w.copy(prev.body, old.start, old.end);
          after.set(key, { stamp, start: at, end: at + old.end - old.start });
          reused++;
          return;
        }
        rendered++;
        const at = w.offset();
        fill();
        after.set(key, { stamp, start: at, end: w.offset() });
      };
      (r.render as ClusterRender)(ctx, new FamilyBinder(def, w, enc, false, memo).out);
      if (due()) yield;
      continue;
    }
    const s = 2 * slot++;
    const reads = r.reads ?? [];
    const never = reads.includes('clock');
    const declared = PARTS.map((p, k) => (reads.includes(p) ? k : -1)).filter((k) => k >= 0);
    // Every piece of the last render was kept against the same part versions: one check a family.
    const partsSame = prev !== undefined && declared.every((k) => prev.parts[k] === parts[k]);
    const tracker = new ReadTracker(ctx, declared.length > 0);
    const binder = new FamilyBinder(def, w, enc, r.scope === 'app');
    const render = r.render as AppRender;
    for (let i = 0; i < apps.length; i++) {
      const app = apps[i] as AppRecord;
      const pieces = mine[i] as AppPieces;
      const out = r.scope === 'app' ? binder.forApp(pieces.labels).out : binder.out;
      if (never) {
        rendered++;
        render(app, out, ctx, teams[i] ?? '');
        if (due()) yield;
        continue;
      }
      const old = partsSame ? reusable[i] : undefined;
      const start = old ? (old.spans[old.base + s] ?? -1) : -1;
      if (prev && old && start >= 0) {
        const end = old.spans[old.base + s + 1] ?? start;
        const at = w.copy(prev.body, start, end);
        spans[pieces.base + s] = at;
        spans[pieces.base + s + 1] = at + end - start;
        reused++;
        if (due()) yield;
        continue;
      }
      rendered++;
      const at = w.offset();
      tracker.read = false;
      render(app, out, tracker.ctx, teams[i] ?? '');
      if (!tracker.read) {
        spans[pieces.base + s] = at;
        spans[pieces.base + s + 1] = w.offset();
      }
      if (due()) yield;
    }
  }
  const byApp = new Map<AppRecord, AppPieces>();
  for (let i = 0; i < apps.length; i++) byApp.set(apps[i] as AppRecord, mine[i] as AppPieces);
  return { body: w.written(), parts, apps: byApp, memos, reused, rendered };
}
