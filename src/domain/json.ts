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

/** Who an object is, as every view of one starts: uid, namespace, name, and the team its label names. */
export interface Identity {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly team: string | undefined;
}

/** A namespaced object's identity and labels, the part every parser needs before anything else. */
export interface Namespaced {
  readonly object: Json;
  readonly meta: Json;
  readonly labels: Record<string, string>;
  readonly identity: Identity;
}

export type IdentityReject = { ok: false; reason: 'not_an_object' | 'missing_metadata'; detail: string };

/** The object with its identity (team from `teamLabel`, empty meaning none), or why it has none to go by. */
export function namespaced(raw: unknown, teamLabel: string): { ok: true; value: Namespaced } | IdentityReject {
  const object = obj(raw);
  if (!object) return { ok: false, reason: 'not_an_object', detail: typeof raw };
  const meta = obj(object['metadata']);
  const uid = str(meta?.['uid']);
  const name = str(meta?.['name']);
  const namespace = str(meta?.['namespace']);
  if (!meta || !uid || !name || !namespace) return { ok: false, reason: 'missing_metadata', detail: `${namespace ?? '?'}/${name ?? '?'}` };
  const l = labels(meta);
  return { ok: true, value: { object, meta, labels: l, identity: { uid, namespace, name, team: l[teamLabel] || undefined } } };
}
