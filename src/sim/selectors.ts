/**
 * Label and field selectors with the syntax and semantics of k8s.io/apimachinery:
 * labels `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`; fields `path=v`, `path==v`, `path!=v`.
 */

export type LabelRequirement =
  | { op: 'eq'; key: string; values: [string] }
  | { op: 'neq'; key: string; values: [string] }
  | { op: 'in'; key: string; values: string[] }
  | { op: 'notin'; key: string; values: string[] }
  | { op: 'exists'; key: string }
  | { op: 'notexists'; key: string };

export class SelectorError extends Error {}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}
function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${whole}"`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new SelectorError(`unbalanced parentheses in selector "${s}"`);
  parts.push(cur);
  return parts;
}

export function parseLabelSelector(input: string): LabelRequirement[] {
  const s = input.trim();
  if (s === '') return [];
  const out: LabelRequirement[] = [];
  for (const raw of splitTopLevel(s)) {
    const part = raw.trim();
    if (part === '') throw new SelectorError(`found '', expected: identifier in selector "${input}"`);
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set && set[1] !== undefined && set[2] !== undefined && set[3] !== undefined) {
      const values = set[3].split(',').map((v) => checkValue(v.trim(), input));
      if (values.length === 1 && values[0] === '' && set[3].trim() === '') throw new SelectorError(`for '${set[2]}' operator, values set can't be empty in "${input}"`);
      out.push({ op: set[2] === 'in' ? 'in' : 'notin', key: checkKey(set[1], input), values });
      continue;
    }
    const cmp = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(part);
    if (cmp && cmp[1] !== undefined && cmp[2] !== undefined && cmp[3] !== undefined) {
      const key = checkKey(cmp[1], input);
      const value = checkValue(cmp[3], input);
      out.push(cmp[2] === '!=' ? { op: 'neq', key, values: [value] } : { op: 'eq', key, values: [value] });
      continue;
    }
    if (part.startsWith('!')) {
      out.push({ op: 'notexists', key: checkKey(part.slice(1).trim(), input) });
      continue;
    }
    out.push({ op: 'exists', key: checkKey(part, input) });
  }
  return out;
}

export function matchesLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const r of reqs) {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        if (v !== r.values[0]) return false;
        break;
      case 'neq':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case 'notexists':
        if (v !== undefined) return false;
        break;
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

/** Parses a field selector, rejecting fields the resource does not index (as the API server does). */
export function parseFieldSelector(input: string, supported: readonly string[]): FieldRequirement[] {
  const s = input.trim();
  if (s === '') return [];
  return s.split(',').map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(raw);
    if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) throw new SelectorError(`invalid selector: '${input}'; can't understand '${raw}'`);
    if (!supported.includes(m[1])) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] };
  });
}

/** Reads a dotted path such as `status.phase` from an object; absent values read as ''. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field);
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
