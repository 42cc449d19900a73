/** Narrowing helpers for JSON from the API: objects arrive as `unknown` and are never trusted. */

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** RFC 3339 time as epoch ms; undefined when absent or not a time. */
export function time(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.length < 10) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Labels as a string map; non-string values (a malformed object) are dropped, not trusted. */
export function labels(meta: Json | undefined): Record<string, string> {
  const raw = obj(meta?.['labels']);
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const k in raw) {
    const v = raw[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
