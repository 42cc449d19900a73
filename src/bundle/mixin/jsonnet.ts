/**
 * A small jsonnet syntax tree and printer for the generated mixin, and the conversion of generated
 * values (whose strings may hold tunable placeholders, see ../tunable.ts) into it.
 */
import { hasSym, jsonnetString, whole } from '../tunable.js';

export type J =
  | { t: 'code'; code: string }
  | { t: 'obj'; fields: Field[] }
  | { t: 'arr'; items: J[] }
  | { t: 'if'; cond: string; then: J; else: J }
  | { t: 'plus'; items: J[] }
  /** `[v for v in over if cond]`. */
  | { t: 'filter'; v: string; over: J; cond: string };

export interface Field {
  key: string;
  value: J;
  /** The field exists only when this jsonnet condition holds. */
  cond?: string;
  /** `:`, `::`, `+:` or `+::`. */
  sep?: ':' | '::' | '+:' | '+::';
}

export const code = (c: string): J => ({ t: 'code', code: c });

const KEYWORDS = new Set(['assert', 'else', 'error', 'false', 'for', 'function', 'if', 'import', 'importstr', 'importbin', 'in', 'local', 'null', 'self', 'super', 'tailstrict', 'then', 'true']);

export function isIdent(k: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !KEYWORDS.has(k);
}

/** `base.a.b["c-d"]`: field access that stays valid for keywords and odd keys. */
export function access(base: string, path: readonly string[]): string {
  return base + path.map((k) => (isIdent(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A generated JSON value as jsonnet: placeholders become `$._config` expressions. */
export function fromValue(v: unknown): J {
  if (typeof v === 'string') {
    const w = whole(v);
    // A whole placeholder keeps its type: a number stays a number, a list a list.
    return code(w !== undefined ? w.code : hasSym(v) ? jsonnetString(v) : JSON.stringify(v));
  }
  if (Array.isArray(v)) {
    const only = v.length === 1 && typeof v[0] === 'string' ? whole(v[0]) : undefined;
    if (only?.kind === 'a') return code(only.code);
    return { t: 'arr', items: v.map(fromValue) };
  }
  if (isPlainObject(v)) return { t: 'obj', fields: Object.entries(v).map(([key, value]) => ({ key, value: fromValue(value) })) };
  if (v === undefined) throw new Error('undefined has no jsonnet form');
  return code(JSON.stringify(v));
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * One jsonnet value that is `whenFalse` unless `cond` holds and `whenTrue` then, sharing every
 * part the two have in common (a boolean setting changes a few strings of a dashboard, not all).
 */
export function mergeVariants(whenFalse: unknown, whenTrue: unknown, cond: string): J {
  if (deepEqual(whenFalse, whenTrue)) return fromValue(whenFalse);
  if (isPlainObject(whenFalse) && isPlainObject(whenTrue)) {
    const keys = [...new Set([...Object.keys(whenFalse), ...Object.keys(whenTrue)])];
    return {
      t: 'obj',
      fields: keys.map((key): Field => {
        if (!(key in whenTrue)) return { key, value: fromValue(whenFalse[key]), cond: `!(${cond})` };
        if (!(key in whenFalse)) return { key, value: fromValue(whenTrue[key]), cond };
        return { key, value: mergeVariants(whenFalse[key], whenTrue[key], cond) };
      }),
    };
  }
  if (Array.isArray(whenFalse) && Array.isArray(whenTrue) && whenFalse.length === whenTrue.length) {
    return { t: 'arr', items: whenFalse.map((x, i) => mergeVariants(x, whenTrue[i], cond)) };
  }
  return { t: 'if', cond, then: fromValue(whenTrue), else: fromValue(whenFalse) };
}

function printKey(f: Field): string {
  const k = isIdent(f.key) ? f.key : JSON.stringify(f.key);
  return f.cond === undefined ? k : `[if ${f.cond} then ${JSON.stringify(f.key)}]`;
}

export function print(j: J, indent = ''): string {
  const inner = indent + '  ';
  switch (j.t) {
    case 'code':
      return j.code;
    case 'obj':
      if (j.fields.length === 0) return '{}';
      return `{\n${j.fields.map((f) => `${inner}${printKey(f)}${f.sep ?? ':'} ${print(f.value, inner)},\n`).join('')}${indent}}`;
    case 'arr':
      if (j.items.length === 0) return '[]';
      return `[\n${j.items.map((x) => `${inner}${print(x, inner)},\n`).join('')}${indent}]`;
    case 'if':
      return `(if ${j.cond} then ${print(j.then, indent)} else ${print(j.else, indent)})`;
    case 'plus':
      return j.items.map((x) => print(x, indent)).join(' + ');
    case 'filter':
      return `[${j.v} for ${j.v} in ${print(j.over, indent)} if ${j.cond}]`;
  }
}
