/** Renders one /metrics response: the catalogue families from the model, then Node process metrics. */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RENDER_BUCKETS } from '../catalogue/metrics.js';
import { Histogram } from '../domain/histogram.js';
import { BodyPool } from './body-pool.js';
import type { Model } from '../domain/model.js';
import { ExpositionWriter, LabelEncoder, type Format } from './exposition.js';
import { renderInSlices, type RenderCache } from './render-pass.js';
import { nextTurn, SLICE_BYTES, type BodySink } from './body-sink.js';
import type { SelfStats } from '../source/self-stats.js';

export interface RenderOptions {
  readonly maxLabelLength: number;
  readonly churnWindowMs: number;
  readonly now: () => number;
  /** Tests and benchmarks leave Node's process metrics out to compare exactly. */
  readonly processMetrics: boolean;
  /** Serve spark_k8s_pod_info (one series per pod); default on. */
  readonly podInfo?: boolean;
  /** Reuse the unchanged parts of the last body (default on); off renders everything afresh. */
  readonly cache?: boolean;
}

export class MetricsRenderer {
  readonly renderSeconds = new Histogram(RENDER_BUCKETS);
  private readonly enc: LabelEncoder;
  private readonly caches: Partial<Record<Format, RenderCache>> = {};
  private readonly last: Partial<Record<Format, { reused: number; rendered: number }>> = {};
  private readonly pool = new BodyPool();
  /** Each format's last body size: the next body's buffer is sized from its own, not another renderer's. */
  private readonly sizes: Partial<Record<Format, number>> = {};
  /** The bodies render passes in flight copy from (one entry per pass). */
  private readonly reading: ArrayBufferLike[] = [];
  private readonly alloc = (bytes: number): Buffer =>
    this.pool.alloc(bytes, (memory) => memory === this.caches.prometheus?.body.buffer || memory === this.caches.openmetrics?.body.buffer || this.reading.includes(memory));
  private readonly registries: { prometheus?: Registry; openmetrics?: Registry<'application/openmetrics-text; version=1.0.0; charset=utf-8'> } = {};

  constructor(
    private readonly model: Model,
    private readonly self: SelfStats,
    private readonly opts: RenderOptions,
  ) {
    this.enc = new LabelEncoder(opts.maxLabelLength);
    if (opts.processMetrics) {
      const text = new Registry();
      collectDefaultMetrics({ register: text });
      const om = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
      om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
      collectDefaultMetrics({ register: om });
      this.registries = { prometheus: text, openmetrics: om };
    }
  }

  /** The whole model in one synchronous pass: it cannot change under this render. */
  renderModel(format: Format): ExpositionWriter {
    const w = this.writer(format);
    const pass = this.pass(format, w, Infinity);
    for (let step = pass.next(); !step.done; step = pass.next());
    return w;
  }

  private writer(format: Format): ExpositionWriter {
    return new ExpositionWriter(format, this.alloc, this.sizes[format]);
  }

  /** One render pass into `w`, pausing every `sliceBytes`; keeps its cache once it is complete. */
  private *pass(format: Format, w: ExpositionWriter, sliceBytes: number): Generator<void, void, void> {
    const ctx = { model: this.model, self: this.self, nowMs: this.opts.now(), churnWindowMs: this.opts.churnWindowMs, podInfo: this.opts.podInfo ?? true, renderHistogram: this.renderSeconds };
    const prev = this.caches[format];
    // The pieces reused are copied from prev's body as the pass goes: no pool may hand that memory
    // out meanwhile, even once another pass of this format has replaced prev as the cache.
    if (prev) this.reading.push(prev.body.buffer);
    try {
      const cache = yield* renderInSlices(ctx, w, this.enc, prev, sliceBytes);
      if (this.opts.cache ?? true) this.caches[format] = cache;
      this.last[format] = { reused: cache.reused, rendered: cache.rendered };
    } finally {
      if (prev) this.reading.splice(this.reading.indexOf(prev.body.buffer), 1);
    }
  }

  /**
   * The body as bytes: at 100k series, decoding it to a string only for the HTTP layer to encode
   * it again costs ~40 ms and a 15 MB old-generation string per scrape.
   */
  async renderBytes(format: Format): Promise<Buffer> {
    return this.stream(format, { write: () => undefined, gone: false }, Infinity);
  }

  /**
   * Renders the body into `sink` a slice at a time (`sliceBytes`, 1 MiB by default), each slice
   * written as soon as it is rendered and the event loop let run before the next: the first bytes
   * are on their way while the rest renders, and watch events are read during a scrape, not after
   * it (docs/scale.md, "Issue 13, third pass"). Returns the whole body, for `release` once sent;
   * if the sink is gone, the rest is not rendered and the render cache stays as it was.
   */
  async stream(format: Format, sink: BodySink, sliceBytes = SLICE_BYTES): Promise<Buffer> {
    const started = performance.now();
    const w = this.writer(format);
    let sent = 0;
    const send = (): void => {
      const chunk = w.since(sent);
      sent += chunk.length;
      if (chunk.length > 0) sink.write(chunk);
    };
    const pass = this.pass(format, w, sliceBytes);
    for (let step = pass.next(); !step.done; step = pass.next()) {
      send();
      await nextTurn();
      if (sink.gone) {
        pass.return();
        return w.since(0);
      }
    }
    const reg = this.registries[format];
    if (reg) w.raw((await reg.metrics()).replace(/# EOF\n?$/, ''));
    const body = w.finishBytes();
    send();
    this.sizes[format] = body.length;
    this.renderSeconds.observe((performance.now() - started) / 1000);
    return body;
  }

  /** How much of the last body of `format` was reused, in pieces (see render-pass.ts). */
  cacheStats(format: Format): { reused: number; rendered: number } {
    return this.last[format] ?? { reused: 0, rendered: 0 };
  }

  /**
   * Hands back a body from stream or renderBytes once it has been sent (the response finished), so its
   * memory is reused; a body never handed back is simply collected.
   */
  release(body: Buffer): void {
    this.pool.release(body);
  }

  async render(format: Format): Promise<string> {
    return (await this.renderBytes(format)).toString('utf8');
  }
}
