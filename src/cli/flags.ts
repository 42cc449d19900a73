/**
 * Command-line flags, declared once: parsing, environment variables (SPARK_K8S_EXPORTER_<NAME>),
 * defaults, validation, --help and the README's flag table all come from this table.
 */

export type FlagType = 'string' | 'int' | 'number' | 'duration' | 'bool' | 'list' | 'enum';

export interface FlagDef {
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string;
  readonly values?: readonly string[];
  /** Env variables read in addition to SPARK_K8S_EXPORTER_<NAME> (e.g. KUBECONFIG). */
  readonly env?: readonly string[];
  /** Other spellings accepted on the command line (kept for scripts written against them). */
  readonly aliases?: readonly string[];
  /** Without a default: missing is a usage error rather than undefined. */
  readonly required?: boolean;
  /** Bounds of an int or number flag, inclusive. */
  readonly min?: number;
  readonly max?: number;
}

type AnyFlagValue = string | number | boolean | string[];

/** What one flag parses to: durations in milliseconds, lists as arrays, enums as their literal union. */
type Scalar<D extends FlagDef> = D['type'] extends 'int' | 'number' | 'duration'
  ? number
  : D['type'] extends 'bool'
    ? boolean
    : D['type'] extends 'list'
      ? string[]
      : D['type'] extends 'enum'
        ? NonNullable<D['values']>[number]
        : string;

/** A flag with a default or marked required always has a value; any other may be absent. */
export type FlagValue<D extends FlagDef> = D extends { readonly default: string } | { readonly required: true } ? Scalar<D> : Scalar<D> | undefined;

/** The parsed values of a flag table declared `as const`, keyed by flag name. */
export type FlagValues<Defs extends readonly FlagDef[]> = { readonly [D in Defs[number] as D['name']]: FlagValue<D> };

/**
 * Declares a flag table: keeps each flag's literal name, type and default (so parseFlags can type
 * the values per flag) while every entry still reads as a FlagDef (so help, README and tests can
 * walk the table without knowing which flags have which optional fields).
 */
export function flagTable<const Defs extends readonly FlagDef[]>(defs: Defs): { readonly [K in keyof Defs]: Defs[K] & FlagDef } {
  // Only the static view changes: every element already is a FlagDef (the constraint says so).
  return defs as { readonly [K in keyof Defs]: Defs[K] & FlagDef };
}

export class UsageError extends Error {}

export function envName(flag: string): string {
  return `SPARK_K8S_EXPORTER_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Go-style durations (`90s`, `5m`, `1h30m`, `250ms`) to milliseconds. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (text === '0') return 0;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? NaN);
    matched = re.lastIndex;
  }
  return matched === text.length && text.length > 0 && Number.isFinite(total) ? total : undefined;
}

export interface ParsedFlags<Defs extends readonly FlagDef[]> {
  /** With `help` set a required flag may be missing: callers print the help and stop. */
  readonly values: FlagValues<Defs>;
  readonly positionals: string[];
  readonly help: boolean;
}

export function parseFlags<const Defs extends readonly FlagDef[]>(defs: Defs, argv: readonly string[], env: NodeJS.ProcessEnv): ParsedFlags<Defs> {
  const byName = new Map<string, FlagDef>();
  for (const d of defs) for (const n of [d.name, ...(d.aliases ?? [])]) byName.set(n, d);
  const raw = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'bool') {
      name = name.slice(3);
      value = 'false';
    }
    const def = byName.get(name);
    if (!def) throw new UsageError(`unknown flag --${name}${suggest(name, defs)}`);
    if (value === undefined) {
      if (def.type === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new UsageError(`flag --${name} needs a value`);
        value = next;
        i++;
      }
    }
    raw.set(def.name, value);
  }
  const values: Record<string, AnyFlagValue | undefined> = {};
  for (const def of defs) {
    let text = raw.get(def.name);
    let source = `--${def.name}`;
    if (text === undefined) {
      for (const e of [envName(def.name), ...(def.env ?? [])]) {
        if (env[e] !== undefined && env[e] !== '') {
          text = env[e];
          source = e;
          break;
        }
      }
    }
    text ??= def.default;
    if (text === undefined && def.required && !help) throw new UsageError(`--${def.name} is required`);
    values[def.name] = text === undefined ? undefined : convert(def, text, source);
  }
  // The one place the table's inferred type meets the runtime record: convert() produced each
  // value from its def's type, which is exactly what FlagValue<D> says.
  return { values: values as FlagValues<Defs>, positionals, help };
}

/** A table's values with nothing set: the defaults, typed as the parser returns them. */
export function flagDefaults<const Defs extends readonly FlagDef[]>(defs: Defs): FlagValues<Defs> {
  return parseFlags(defs, [], {}).values;
}

function bounded(def: FlagDef, n: number, source: string): number {
  if (def.min !== undefined && n < def.min) throw new UsageError(`${source} must be at least ${def.min}`);
  if (def.max !== undefined && n > def.max) throw new UsageError(`${source} must be at most ${def.max}`);
  return n;
}

function convert(def: FlagDef, text: string, source: string): AnyFlagValue {
  switch (def.type) {
    case 'string':
      return text;
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw new UsageError(`${source}: "${text}" is not a whole number`);
      return bounded(def, Number(text), source);
    }
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${source}: "${text}" is not a number`);
      return bounded(def, n, source);
    }
    case 'duration': {
      const ms = parseDuration(text);
      if (ms === undefined) throw new UsageError(`${source}: "${text}" is not a duration (e.g. 30s, 5m, 1h)`);
      return ms;
    }
    case 'bool':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new UsageError(`${source}: "${text}" is not true or false`);
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'enum':
      if (!def.values?.includes(text)) throw new UsageError(`${source}: "${text}" is not one of ${def.values?.join(', ')}`);
      return text;
  }
}

function suggest(name: string, defs: readonly FlagDef[]): string {
  const close = defs.find((d) => d.name.includes(name) || name.includes(d.name));
  return close ? ` (did you mean --${close.name}?)` : '';
}

export function helpText(command: string, summary: string, defs: readonly FlagDef[]): string {
  const lines = [`Usage: spark-k8s-exporter ${command} [flags]`, '', summary, '', 'Flags (each also read from the environment variable shown):'];
  for (const d of defs) {
    const value = d.type === 'bool' ? '' : d.type === 'enum' ? ` ${d.values?.join('|')}` : ` ${d.type.toUpperCase()}`;
    lines.push(`  --${d.name}${value}${d.aliases?.length ? ` (also ${d.aliases.map((a) => `--${a}`).join(', ')})` : ''}`);
    lines.push(`      ${d.help}${d.default !== undefined ? ` (default ${d.default || '""'})` : d.required ? ' (required)' : ''}`);
    lines.push(`      env ${[envName(d.name), ...(d.env ?? [])].join(', ')}`);
  }
  return lines.join('\n');
}
