/**
 * A family bound to its catalogue entry, as prom-client binds a metric to its declared
 * `labelNames` and kube-state-metrics' generators to their family: a renderer hands over label
 * values only, in catalogue order, and the keys come from the entry, once. The types make a
 * renderer that passes the wrong number of values, or treats a family without the application
 * labels as per-application, fail to compile.
 */
import { APP_LABELS, type CATALOGUE, type MetricDef, type MetricName } from '../catalogue/metrics.js';
import type { AppRecord } from '../domain/app-record.js';
import type { Model } from '../domain/model.js';
import type { SelfStats } from '../source/self-stats.js';
import type { ExpositionWriter, LabelEncoder } from './exposition.js';

export type Def<N extends MetricName> = Extract<(typeof CATALOGUE)[number], { readonly name: N }>;

type Strings<L extends readonly string[]> = { readonly [K in keyof L]: string };

/** The label values of a family, one per catalogue label, in order. */
export type LabelValues<N extends MetricName> = Strings<Def<N>['labels']>;

/** For a family whose labels start with the application labels: the values of the rest. */
export type AppRestValues<N extends MetricName> = Def<N>['labels'] extends readonly [...typeof APP_LABELS, ...infer R extends readonly string[]] ? Strings<R> : never;

/** What a histogram sample needs; the domain's Histogram is one. */
export interface HistogramData {
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
  cumulative(): readonly number[];
}

export interface Samples<V> {
  sample(values: V, value: number): void;
}
export interface Histograms<V> {
  histogram(values: V, h: HistogramData): void;
}
export type Out<N extends MetricName, V> = Def<N>['type'] extends 'histogram' ? Histograms<V> : Samples<V>;

export interface RenderContext {
  readonly model: Model;
  readonly self: SelfStats;
  readonly nowMs: number;
  readonly churnWindowMs: number;
  /** Whether spark_k8s_pod_info is served (one series per pod: it can be turned off). */
  readonly podInfo: boolean;
  readonly renderHistogram: HistogramData;
}

/**
 * What an application's renderer reads beyond its own record (whose `version` covers it): the
 * bytes it rendered are reused while these parts of the model are unchanged too. `clock`: never
 * reused. Undeclared reads of the context (`ctx.nowMs`, `ctx.model`, `ctx.self`, ...) are seen
 * when they happen and make that one rendering not reusable, so leaving this out is slow, never
 * wrong; declaring it is what lets a renderer that reads, say, quotas be reused.
 */
export type Reads = 'clock' | 'quotas' | 'sparkapps' | 'namespaces';

/** Context fields fixed for a renderer's life: reading them does not make a rendering stale. */
export const FIXED_CONTEXT: ReadonlySet<keyof RenderContext> = new Set<keyof RenderContext>(['churnWindowMs', 'podInfo']);

/**
 * For cluster renderers: part of a family keyed by a model object, reused while `stamp` and `tag`
 * are unchanged (one of them must change whenever what `fill` would write for `key` does). A
 * number and a string the model already holds, not a string built per call: a stamp is kept
 * until the next render, and one built per key per render was promoted by the collector.
 */
export interface Memo {
  memo(key: object, stamp: number, tag: string, fill: () => void): void;
}

/**
 * `app`: called once per application, the application labels supplied; `per-app`: called once per
 * application, every label value supplied (for labels that do not start with the application's,
 * e.g. one series per pod), with the application's resolved team; both are cached per
 * application (see `Reads`). `cluster`: called once, every label value supplied; reuses bytes
 * only through `out.memo`.
 */
export type FamilyRenderer<N extends MetricName> =
  | { readonly scope: 'app'; readonly reads?: readonly Reads[]; render(app: AppRecord, out: Out<N, AppRestValues<N>>, ctx: RenderContext): void }
  | { readonly scope: 'per-app'; readonly reads?: readonly Reads[]; render(app: AppRecord, out: Out<N, LabelValues<N>>, ctx: RenderContext, team: string): void }
  | { readonly scope: 'cluster'; render(ctx: RenderContext, out: Out<N, LabelValues<N>> & Memo): void };

export type Renderers = { readonly [N in MetricName]: FamilyRenderer<N> };

/** The untyped view the binder works on; the typed view above is what renderers see. */
interface AnyOut extends Memo {
  sample(values: readonly string[], value: number): void;
  histogram(values: readonly string[], h: HistogramData): void;
}

/** Encodes label pairs for one family: its names fixed, once, from the catalogue. */
export class FamilyBinder {
  private prefix = '';
  private readonly keys: readonly string[];
  readonly out: AnyOut;

  constructor(
    private readonly def: MetricDef,
    private readonly w: ExpositionWriter,
    private readonly enc: LabelEncoder,
    appScoped: boolean,
    memo: Memo['memo'] = (_key, _stamp, _tag, fill) => fill(),
  ) {
    const names = appScoped ? def.labels.slice(APP_LABELS.length) : def.labels;
    // `,k="` (or `k="` first) per label, built once per family rather than per sample.
    this.keys = names.map((n, i) => `${appScoped || i > 0 ? ',' : ''}${n}="`);
    this.out = {
      sample: (values, value) => this.w.sample(this.def.name, this.labels(values), value),
      histogram: (values, h) => this.w.histogram(this.def.name, this.labels(values), h.buckets, h.cumulative(), h.sum, h.count),
      memo,
    };
  }

  /** The application's encoded labels, which every per-application sample starts with. */
  forApp(appLabels: string): this {
    this.prefix = appLabels;
    return this;
  }

  private labels(values: readonly string[]): string {
    if (values.length !== this.keys.length) {
      throw new Error(`${this.def.name}: ${values.length} label values for ${this.keys.length} labels`);
    }
    let s = this.prefix;
    for (let i = 0; i < values.length; i++) s += `${this.keys[i]}${this.enc.value(values[i] ?? '')}"`;
    return s;
  }
}
