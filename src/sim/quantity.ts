/**
 * Kubernetes resource quantities, just enough for pods and quotas: parse the suffixes the API
 * accepts and print the canonical form the API server prints (so quota messages match exactly).
 */

import { parseQuantity as parseExact } from '../domain/quantity.js';

/** Parses a quantity into base units (cores, bytes, counts), as the exporter does. Throws on malformed input, as the API server rejects it. */
export function parseQuantity(input: string | number): number {
  const v = parseExact(input);
  if (v === undefined) throw new Error(`quantities must match the regular expression: invalid "${String(input)}"`);
  return v;
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
