/** Renders one /metrics response: the catalogue families from the model, then Node process metrics. */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RENDER_BUCKETS } from '../catalogue/metrics.js';
import { Histogram } from '../domain/histogram.js';
import type { Model } from '../domain/model.js';
import { ExpositionWriter, LabelEncoder, type Format } from './exposition.js';
import { renderFamilies } from './families.js';
import type { SelfStats } from '../source/self-stats.js';

export interface RenderOptions {
  readonly maxLabelLength: number;
  readonly churnWindowMs: number;
  readonly now: () => number;
  /** Tests and benchmarks leave Node's process metrics out to compare exactly. */
  readonly processMetrics: boolean;
  /** Serve spark_k8s_pod_info (one series per pod); default on. */
  readonly podInfo?: boolean;
}

export class MetricsRenderer {
  readonly renderSeconds = new Histogram(RENDER_BUCKETS);
  private readonly enc: LabelEncoder;
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
    const w = new ExpositionWriter(format);
    renderFamilies(
      { model: this.model, self: this.self, nowMs: this.opts.now(), churnWindowMs: this.opts.churnWindowMs, podInfo: this.opts.podInfo ?? true, renderHistogram: this.renderSeconds },
      w,
      this.enc,
    );
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
    this.renderSeconds.observe((performance.now() - started) / 1000);
    return body;
  }

  async render(format: Format): Promise<string> {
    return (await this.renderBytes(format)).toString('utf8');
  }
}
