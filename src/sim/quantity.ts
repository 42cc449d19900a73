/**
 * Kubernetes resource quantities, just enough for pods and quotas: parse the suffixes the API
 * accepts and print the canonical form the API server prints (so quota messages match exactly).
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a quantity into base units (cores, bytes, counts). Throws on malformed input. */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') return input;
  const m = /^([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(input.trim());
  if (!m || m[1] === undefined) throw new Error(`quantities must match the regular expression: invalid "${input}"`);
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  const mult = BINARY[suffix] ?? DECIMAL[suffix];
  if (mult === undefined) throw new Error(`unknown quantity suffix in "${input}"`);
  return n * mult;
}

/** Memory-like quantity (bytes) in canonical BinarySI form: 4096Mi prints as 4Gi. */
export function formatBytes(bytes: number): string {
  const b = Math.round(bytes);
  if (b === 0) return '0';
  const units: Array<[string, number]> = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [suffix, size] of units) {
    if (Math.abs(b) >= size && b % size === 0) return `${b / size}${suffix}`;
  }
  return String(b);
}

/** CPU-like quantity in canonical DecimalSI form: 1.5 prints as 1500m, 2 as 2. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  if (milli % 1000 === 0) return String(milli / 1000);
  return `${milli}m`;
}

/** Canonical print for a quota resource name: memory-ish keys in bytes, cpu-ish in cores, counts as integers. */
export function formatResource(resource: string, value: number): string {
  if (resource.endsWith('memory') || resource.endsWith('storage')) return formatBytes(value);
  if (resource.endsWith('cpu')) return formatCpu(value);
  return String(Math.round(value));
}

export const MiB = 2 ** 20;
