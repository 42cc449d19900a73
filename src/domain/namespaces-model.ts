/**
 * Namespaces as the model holds them: only each one's team label, the fallback team of every
 * series in it. Read when rendering, so a label added or changed later relabels every series.
 */
import { labels, obj, str } from './json.js';
import type { ParseResult } from './spark-pod.js';
import type { Store } from './relist.js';

export interface NamespaceView {
  readonly name: string;
  readonly team: string | undefined;
}

export function parseNamespace(raw: unknown, teamLabel: string): ParseResult<NamespaceView> {
  const meta = obj(obj(raw)?.['metadata']);
  if (!meta) return { ok: false, reason: obj(raw) ? 'missing_metadata' : 'not_an_object', detail: '?' };
  const name = str(meta['name']);
  if (!name) return { ok: false, reason: 'missing_metadata', detail: 'no metadata.name' };
  return { ok: true, value: { name, team: labels(meta)[teamLabel] || undefined } };
}

export class NamespacesModel implements Store<NamespaceView> {
  /** Bumped by every verb that may change what is held: the metrics layer's cache key for what reads it. */
  version = 0;
  private readonly teams = new Map<string, string | undefined>();

  get size(): number {
    return this.teams.size;
  }

  key(v: NamespaceView): string {
    return v.name;
  }

  has(name: string): boolean {
    return this.teams.has(name);
  }

  keys(): Iterable<string> {
    return this.teams.keys();
  }

  upsert(v: NamespaceView): boolean {
    this.version++;
    const changed = !this.teams.has(v.name) || this.teams.get(v.name) !== v.team;
    this.teams.set(v.name, v.team);
    return changed;
  }

  remove(v: NamespaceView): boolean {
    this.version++;
    return this.teams.delete(v.name);
  }

  removeKey(name: string): boolean {
    this.version++;
    return this.teams.delete(name);
  }

  teamOf(namespace: string): string {
    return this.teams.get(namespace) ?? '';
  }
}
