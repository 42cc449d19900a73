/**
 * Command-line flags, declared once: parsing, environment variables (SPARK_K8S_EXPORTER_<NAME>),
 * defaults, validation, --help and the README's flag table all come from this table.
 */

export type FlagType = 'string' | 'int' | 'duration' | 'bool' | 'list' | 'enum';

export interface FlagDef {
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string;
  readonly values?: readonly string[];
  /** Env variables read in addition to SPARK_K8S_EXPORTER_<NAME> (e.g. KUBECONFIG). */
  readonly env?: readonly string[];
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

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface Parsed {
  readonly values: FlagValues;
  readonly positionals: string[];
  readonly help: boolean;
}

export function parseFlags(defs: readonly FlagDef[], argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  const byName = new Map(defs.map((d) => [d.name, d]));
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
    raw.set(name, value);
  }
  const values: FlagValues = {};
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
    values[def.name] = text === undefined ? undefined : convert(def, text, source);
  }
  return { values, positionals, help };
}

function convert(def: FlagDef, text: string, source: string): string | number | boolean | string[] {
  switch (def.type) {
    case 'string':
      return text;
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw new UsageError(`${source}: "${text}" is not a whole number`);
      return Number(text);
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
    lines.push(`  --${d.name}${value}`);
    lines.push(`      ${d.help}${d.default !== undefined ? ` (default ${d.default || '""'})` : ''}`);
    lines.push(`      env ${[envName(d.name), ...(d.env ?? [])].join(', ')}`);
  }
  return lines.join('\n');
}
