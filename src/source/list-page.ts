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
