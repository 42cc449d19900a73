/**
 * Writes the Prometheus text format (0.0.4) or OpenMetrics (1.0) from catalogue families.
 * The exporter renders its own families rather than going through prom-client's registry: at
 * 100k series a scrape must not rebuild label objects per sample (kube-state-metrics moved to
 * pre-rendered bytes for the same reason).
 */
import type { MetricDef } from '../catalogue/metrics.js';

export type Format = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<Format, string> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

export class LabelEncoder {
  constructor(private readonly maxLength: number) {}

  /** A label value bounded in length (by code points) and escaped for the exposition formats. */
  value(v: string): string {
    let s = v;
    if (s.length > this.maxLength) s = Array.from(s).slice(0, this.maxLength).join('');
    // eslint-style fast path: most values need no escaping.
    if (!/[\\"\n]/.test(s)) return s;
    return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }

  /** `k1="v1",k2="v2"` for the given names and values, in catalogue order. */
  pairs(names: readonly string[], values: readonly string[]): string {
    let out = '';
    for (let i = 0; i < names.length; i++) {
      if (i > 0) out += ',';
      out += `${names[i]}="${this.value(values[i] ?? '')}"`;
    }
    return out;
  }
}

/**
 * Lines are copied into a byte buffer in ~32 KB batches instead of kept as 100k strings until a
 * final join: kept strings outlived several young-generation collections, were promoted and
 * copied, and the old-generation collections that followed were most of a scrape's p99. Written
 * out in batches, a line dies young and costs the collector almost nothing.
 */
export class ExpositionWriter {
  /** Size of the last body rendered, so the next one usually needs no growing. */
  private static sizeHint = 64 * 1024;
  private buf: Buffer;
  private len = 0;

  /**
   * `alloc` hands out the buffers written into (a pool of reused ones, see body-pool.ts);
   * `expected`: the size of this caller's last body (else the last of any writer).
   */
  constructor(
    readonly format: Format,
    private readonly alloc: (bytes: number) => Buffer = Buffer.allocUnsafe,
    expected: number = ExpositionWriter.sizeHint,
  ) {
    this.buf = alloc(expected + (expected >> 3));
  }

  /** Lines gathered as one string and copied out every ~32 KB: one native call per batch, not per line. */
  private pending = '';

  /** Bytes of an earlier body still to be copied in, kept open so adjacent pieces copy as one. */
  private run: { src: Buffer; start: number; end: number } | undefined;

  private put(text: string): void {
    if (this.run) this.copyRun();
    this.pending += text;
    if (this.pending.length > 32_768) this.flush();
  }

  private flush(): void {
    const text = this.pending;
    if (!text) return;
    this.pending = '';
    // utf8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3);
    this.len += this.buf.write(text, this.len, 'utf8');
  }

  private reserve(bytes: number): void {
    if (this.len + bytes <= this.buf.length) return;
    // The old buffer is left as it is, never written again: a render cache may still point into it.
    const bigger = this.alloc(Math.max(this.buf.length * 2, this.len + bytes));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  private copyRun(): void {
    const r = this.run;
    if (!r) return;
    this.run = undefined;
    this.reserve(r.end - r.start);
    this.len += r.src.copy(this.buf, this.len, r.start, r.end);
  }

  /** Where the next byte written will land in the body. */
  offset(): number {
    this.flush();
    return this.len + (this.run ? this.run.end - this.run.start : 0);
  }

  /** Appends bytes `[start, end)` of an earlier body; returns where they land in this one. */
  copy(src: Buffer, start: number, end: number): number {
    const at = this.offset();
    if (start === end) return at;
    const r = this.run;
    if (r && r.src === src && r.end === start) r.end = end;
    else {
      this.copyRun();
      this.run = { src, start, end };
    }
    return at;
  }

  /** Everything written so far, at `[0, offset())` of the buffer returned (never written again there). */
  written(): Buffer {
    this.copyRun();
    this.flush();
    return this.buf;
  }

  /**
   * The bytes written since `from` (an earlier `offset()`), copied in now: a view that stays as it
   * is while the writer goes on, even if it grows into a new buffer (the old one is not written).
   */
  since(from: number): Buffer {
    return this.written().subarray(from, this.len);
  }

  family(def: MetricDef): void {
    const family = this.format === 'openmetrics' && def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name;
    const help = def.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    this.put(`# HELP ${family} ${help}\n# TYPE ${family} ${def.type}\n`);
    if (this.format === 'openmetrics' && def.unit && family.endsWith(`_${def.unit}`)) this.put(`# UNIT ${family} ${def.unit}\n`);
  }

  /** `labels` is an already-encoded `k="v",…` string (possibly empty). */
  sample(name: string, labels: string, value: number): void {
    this.put(labels ? `${name}{${labels}} ${formatValue(value)}\n` : `${name} ${formatValue(value)}\n`);
  }

  histogram(name: string, labels: string, buckets: readonly number[], cumulative: readonly number[], sum: number, count: number): void {
    const sep = labels ? ',' : '';
    for (let i = 0; i < buckets.length; i++) {
      this.put(`${name}_bucket{${labels}${sep}le="${formatLe(buckets[i] ?? 0)}"} ${cumulative[i] ?? 0}\n`);
    }
    this.put(`${name}_bucket{${labels}${sep}le="+Inf"} ${count}\n`);
    this.put(labels ? `${name}_sum{${labels}} ${formatValue(sum)}\n${name}_count{${labels}} ${count}\n` : `${name}_sum ${formatValue(sum)}\n${name}_count ${count}\n`);
  }

  /** Text from another renderer (prom-client's process metrics), already in this format. */
  raw(text: string): void {
    if (text) this.put(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The body as bytes, a view of the writer's buffer (no copy): what an HTTP response sends. */
  finishBytes(): Buffer {
    if (this.format === 'openmetrics') this.put('# EOF\n');
    this.copyRun();
    this.flush();
    ExpositionWriter.sizeHint = this.len;
    return this.buf.subarray(0, this.len);
  }

  finish(): string {
    return this.finishBytes().toString('utf8');
  }
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLe(b: number): string {
  // OpenMetrics wants canonical floats for le ("1.0"); Prometheus text accepts both.
  return Number.isInteger(b) ? `${b}.0` : String(b);
}

/** Picks the format from an Accept header the way Prometheus negotiates it. */
export function negotiate(accept: string | undefined): Format {
  return accept && accept.includes('application/openmetrics-text') ? 'openmetrics' : 'prometheus';
}
