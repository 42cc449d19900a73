/** Renders one /metrics response: the catalogue families from the model, then Node process metrics. */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RENDER_BUCKETS } from '../catalogue/metrics.js';
import { Histogram } from '../domain/histogram.js';
import { BodyPool } from './body-pool.js';
import type { Model } from '../domain/model.js';
import { ExpositionWriter, LabelEncoder, type Format } from './exposition.js';
import { renderFamilies, type RenderCache } from './render-pass.js';
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
  private readonly alloc = (bytes: number): Buffer =>
    this.pool.alloc(bytes, (memory) => memory === this.caches.prometheus?.body.buffer || memory === this.caches.openmetrics?.body.buffer);
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

  /** Synchronous, so the model cannot change under a scrape halfway through. */
  renderModel(format: Format): ExpositionWriter {
    const w = new ExpositionWriter(format, this.alloc, this.sizes[format]);
    const ctx = { model: this.model, self: this.self, nowMs: this.opts.now(), churnWindowMs: this.opts.churnWindowMs, podInfo: this.opts.podInfo ?? true, renderHistogram: this.renderSeconds };
    const cache = renderFamilies(ctx, w, this.enc, this.caches[format]);
    if (this.opts.cache ?? true) this.caches[format] = cache;
    this.last[format] = { reused: cache.reused, rendered: cache.rendered };
    return w;
  }

  /**
   * The body as bytes: at 100k series, decoding it to a string only for the HTTP layer to encode
   * it again costs ~40 ms and a 15 MB old-generation string per scrape.
   */
  async renderBytes(format: Format): Promise<Buffer> {
    const started = performance.now();
    const w = this.renderModel(format);
    const reg = this.registries[format];
    if (reg) w.raw((await reg.metrics()).replace(/# EOF\n?$/, ''));
    const body = w.finishBytes();
    this.sizes[format] = body.length;
    this.renderSeconds.observe((performance.now() - started) / 1000);
    return body;
  }

  /** How much of the last body of `format` was reused, in pieces (see render-pass.ts). */
  cacheStats(format: Format): { reused: number; rendered: number } {
    return this.last[format] ?? { reused: 0, rendered: 0 };
  }

  /**
   * Hands back a body from renderBytes once it has been sent (the response finished), so its
   * memory is reused; a body never handed back is simply collected.
   */
  release(body: Buffer): void {
    this.pool.release(body);
  }

  async render(format: Format): Promise<string> {
    return (await this.renderBytes(format)).toString('utf8');
  }
}
