/**
 * Kubernetes resource quantities, just enough for pods and quotas: parse what the API accepts and
 * print the canonical form the API server prints (so quota messages match exactly).
 *
 * The simulator is the exporter's test oracle, so this parser is its own: a character scanner
 * after apimachinery's parseQuantityString, not the exporter's regular expression (src/domain),
 * and test/sim/quantity.test.ts checks the two against each other.
 */

const DIGITS = '0123456789';

/** Decimal SI suffixes as powers of ten (apimachinery's decimal suffixer, n and u included). */
const DECIMAL_SI: ReadonlyMap<string, number> = new Map([['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18]]);
/** Binary SI suffixes as powers of two. */
const BINARY_SI: ReadonlyMap<string, number> = new Map([['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60]]);

function malformed(input: string | number): Error {
  return new Error(`quantities must match the regular expression: invalid "${String(input)}"`);
}

/** The run of digits starting at `from`: where it ends. */
function digitsEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && DIGITS.includes(s.charAt(i))) i++;
  return i;
}

/**
 * Parses a quantity into base units (cores, bytes, counts). Throws on what the API server rejects:
 * `<sign>? (<digits> | <digits>.<digits>? | .<digits>) <suffix>`, the suffix binary SI (Ki..Ei),
 * decimal SI (n u m k M G T P E, or none) or an exponent (`e`/`E` with a signed integer).
 */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw malformed(input);
    return input;
  }
  let pos = 0;
  let negative = false;
  if (input[pos] === '+' || input[pos] === '-') negative = input[pos++] === '-';
  const intStart = pos;
  pos = digitsEnd(input, pos);
  const whole = input.slice(intStart, pos);
  let fraction = '';
  if (input[pos] === '.') {
    const fracStart = ++pos;
    pos = digitsEnd(input, pos);
    fraction = input.slice(fracStart, pos);
  }
  if (whole === '' && fraction === '') throw malformed(input);
  const suffix = input.slice(pos);
  // Mantissa as digits times a power of ten, so the decimal case is one correctly rounded conversion.
  const mantissa = `${whole}${fraction}` || '0';
  let value: number;
  const binary = BINARY_SI.get(suffix);
  const decimal = DECIMAL_SI.get(suffix);
  if (binary !== undefined) value = Number(`${mantissa}e${-fraction.length}`) * 2 ** binary;
  else if (decimal !== undefined) value = Number(`${mantissa}e${decimal - fraction.length}`);
  else if ((suffix[0] === 'e' || suffix[0] === 'E') && suffix.length > 1) {
    const expStart = suffix[1] === '+' || suffix[1] === '-' ? 2 : 1;
    if (expStart === suffix.length || digitsEnd(suffix, expStart) !== suffix.length) throw malformed(input);
    value = Number(`${mantissa}e${Number(suffix.slice(1)) - fraction.length}`);
  } else throw malformed(input);
  if (!Number.isFinite(value)) throw malformed(input);
  return negative ? -value : value;
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
