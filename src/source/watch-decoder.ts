/**
 * Decoding of a watch stream, client-go's StreamWatcher without the I/O: chunks are framed into
 * lines, each line into a typed event or a rejection with a reason. Every line is untrusted: any
 * JSON value may arrive, so nothing here assumes a shape it has not checked.
 */

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type WatchEventType = ObjectEventType | 'BOOKMARK';

/** Why a line was skipped; the `reason` label of spark_k8s_exporter_objects_rejected_total. */
export type LineRejection =
  /** Not JSON at all. */
  | 'bad_json'
  /** JSON, but not an object with a string `type` (null, a number, an array, `{}` …). */
  | 'not_an_event'
  /** An event whose `type` is none the watch protocol defines. */
  | 'unknown_event_type'
  /** A BOOKMARK without a string `object.metadata.resourceVersion`: nothing to advance to. */
  | 'bad_bookmark'
  /** An ERROR whose `object` is not a Status-like object: nothing to act on. */
  | 'bad_error_event';

export type DecodedLine =
  | { readonly kind: 'event'; readonly type: WatchEventType; readonly object: unknown; readonly rv: string | undefined }
  /** An ERROR event with a Status: the watch ends; `expired` (410) means only a relist recovers. */
  | { readonly kind: 'error'; readonly expired: boolean; readonly detail: string }
  | { readonly kind: 'reject'; readonly reason: LineRejection; readonly detail: string };

/** The event type for the watch-events counter: known types only, so a hostile `type` cannot mint series. */
export type CountedType = WatchEventType | 'ERROR' | 'UNKNOWN';

const DETAIL_CHARS = 200;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON-ish preview of a value for a log line, bounded, never throwing. */
function preview(v: unknown): string {
  try {
    return String(JSON.stringify(v)).slice(0, DETAIL_CHARS);
  } catch {
    return String(v).slice(0, DETAIL_CHARS);
  }
}

/** The object's metadata.resourceVersion when it is a string. */
export function resourceVersionOf(object: unknown): string | undefined {
  const meta = isRecord(object) ? object['metadata'] : undefined;
  const rv = isRecord(meta) ? meta['resourceVersion'] : undefined;
  return typeof rv === 'string' ? rv : undefined;
}

/** One parsed line (any JSON value) as an event or a rejection. */
export function decodeValue(value: unknown): DecodedLine {
  if (!isRecord(value) || typeof value['type'] !== 'string') return { kind: 'reject', reason: 'not_an_event', detail: preview(value) };
  const type = value['type'];
  const object = value['object'];
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      // A bad object is the consumer's to judge and count (it knows what the resource needs).
      return { kind: 'event', type, object, rv: resourceVersionOf(object) };
    case 'BOOKMARK': {
      const rv = resourceVersionOf(object);
      if (rv === undefined) return { kind: 'reject', reason: 'bad_bookmark', detail: preview(object) };
      return { kind: 'event', type, object, rv };
    }
    case 'ERROR': {
      if (!isRecord(object)) return { kind: 'reject', reason: 'bad_error_event', detail: preview(object) };
      // client-go treats both as "expired": the resourceVersion is gone from the server's history.
      const expired = object['code'] === 410 || object['reason'] === 'Expired' || object['reason'] === 'Gone';
      return { kind: 'error', expired, detail: preview(object) };
    }
    default:
      return { kind: 'reject', reason: 'unknown_event_type', detail: type.slice(0, DETAIL_CHARS) };
  }
}

/** One line of the stream, parsed and decoded. */
export function decodeLine(line: string): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'reject', reason: 'bad_json', detail: line.slice(0, DETAIL_CHARS) };
  }
  return decodeValue(value);
}

/** The type a decoded line is counted under in the watch-events counter (undefined: not counted). */
export function countedType(d: DecodedLine): CountedType | undefined {
  if (d.kind === 'event') return d.type;
  if (d.kind === 'error') return 'ERROR';
  if (d.reason === 'bad_json') return undefined;
  return d.reason === 'bad_error_event' ? 'ERROR' : d.reason === 'bad_bookmark' ? 'BOOKMARK' : 'UNKNOWN';
}

/**
 * Splits a stream's text into newline-terminated lines, holding a partial last line until the
 * chunk that completes it. Blank lines (keep-alives) and a trailing `\r` are dropped.
 */
export class LineFramer {
  private pending = '';

  push(chunk: string): string[] {
    const parts = chunk.split('\n');
    if (parts.length === 1) {
      this.pending += chunk;
      return [];
    }
    parts[0] = this.pending + (parts[0] ?? '');
    this.pending = parts.pop() ?? '';
    const lines: string[] = [];
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (line.trim().length > 0) lines.push(line);
    }
    return lines;
  }

  /** Characters held waiting for their newline. */
  get buffered(): number {
    return this.pending.length;
  }
}
