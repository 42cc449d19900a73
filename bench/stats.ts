/** Small pure helpers for the bench's figures. */

/** Nearest-rank percentile (p in 0..100) of a non-empty sample; NaN for an empty one. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? NaN;
}

/** Rounds for a readable document without losing what matters (3 significant decimals). */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** a ÷ b, or null when either side is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b, 2);
}

/** Samples and body size of a Prometheus text exposition. */
export function exposition(body: string): { series: number; bodyBytes: number } {
  let series = 0;
  for (const line of body.split('\n')) if (line !== '' && !line.startsWith('#')) series++;
  return { series, bodyBytes: Buffer.byteLength(body) };
}

/** Series and bytes of one family's samples in a Prometheus text exposition. */
export function familyShare(body: string, family: string): { series: number; bytes: number } {
  let series = 0;
  let bytes = 0;
  const prefix = `${family}{`;
  for (const line of body.split('\n')) {
    if (line.startsWith(prefix) || line.startsWith(`${family} `)) {
      series++;
      bytes += Buffer.byteLength(line) + 1;
    }
  }
  return { series, bytes };
}

export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}
