/** One page of a paginated list response, checked: the body is untrusted JSON of any shape. */

export type ListPage =
  | { readonly ok: true; readonly items: readonly unknown[]; readonly resourceVersion: string | undefined; readonly continueToken: string | undefined }
  | { readonly ok: false; readonly detail: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decodeListPage(body: unknown): ListPage {
  if (!isRecord(body)) return { ok: false, detail: `the body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}, not a list object` };
  const items = body['items'];
  // Go encodes an empty slice that was never allocated as null; anything else that is not an
  // array means this is not a list, and taking it as an empty one would wipe the model.
  if (items !== null && !Array.isArray(items)) return { ok: false, detail: `items is ${items === undefined ? 'missing' : typeof items}, not an array` };
  const meta = isRecord(body['metadata']) ? body['metadata'] : {};
  const rv = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : undefined;
  const cont = typeof meta['continue'] === 'string' && meta['continue'] !== '' ? meta['continue'] : undefined;
  return { ok: true, items: items ?? [], resourceVersion: rv, continueToken: cont };
}

/** What the first bytes of a list response say about the page after it. */
export type ListHead = { readonly known: true; readonly continueToken: string | undefined } | { readonly known: false };

const UNKNOWN: ListHead = { known: false };

/**
 * The continue token from the start of a list body, before the rest has arrived: the API server
 * writes `kind`, `apiVersion` and `metadata` before `items`, so the text up to the first
 * `"items":` closed with `}` is a JSON object exactly when that key is the top-level one (inside a
 * string or a nested object the prefix would not parse). Anything else is `known: false`, and the
 * caller waits for the whole page; a token read here is checked against the parsed page.
 */
export function continueFromHead(head: string): ListHead {
  const at = head.indexOf('"items":');
  if (at < 0) return UNKNOWN;
  const prefix = head.slice(0, at).trimEnd();
  if (!prefix.endsWith(',') && !prefix.endsWith('{')) return UNKNOWN;
  let top: unknown;
  try {
    top = JSON.parse(`${prefix.endsWith(',') ? prefix.slice(0, -1) : prefix}}`);
  } catch {
    return UNKNOWN;
  }
  if (!isRecord(top)) return UNKNOWN;
  const meta = top['metadata'];
  // Without metadata before the items, the continue token (if any) comes after them.
  if (!isRecord(meta)) return UNKNOWN;
  const cont = meta['continue'];
  if (cont === undefined || cont === '' || cont === null) return { known: true, continueToken: undefined };
  return typeof cont === 'string' ? { known: true, continueToken: cont } : UNKNOWN;
}
