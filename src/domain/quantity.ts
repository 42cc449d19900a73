/**
 * Kubernetes resource quantities (`500m`, `10Gi`, `1e3`, `2k`, `0.5`) as plain numbers in base units
 * (cores, bytes, counts). Quota saturation divides two of these, so the parse must follow
 * apimachinery's grammar exactly rather than a lenient parseFloat.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
/** Decimal suffixes as powers of ten; negative ones divide, so `500m` is exactly 0.5. */
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// <sign><digits>[.<digits>]<suffix>, where suffix is binary, decimal SI or a decimal exponent.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

/** Parses a quantity, or returns undefined when it is not one (callers log and skip). */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  const base = Number(digits);
  let value: number;
  const binary = BINARY[suffix];
  if (binary !== undefined) value = base * binary;
  else {
    const exp = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
    if (exp === undefined || !Number.isInteger(exp)) return undefined;
    // Zero times a huge power is zero to apimachinery (0e600 is a valid 0), not 0 × Infinity = NaN.
    value = base === 0 ? 0 : exp < 0 ? base / 10 ** -exp : base * 10 ** exp;
  }
  if (sign === '-') value = -value;
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Spark's JVM memory strings (`SPARK_EXECUTOR_MEMORY`: `8g`, `1024m`, `512k`, plain bytes), which
 * use binary multiples with single-letter suffixes, unlike Kubernetes quantities.
 */
export function parseJavaMemory(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+)([bkmgtp]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const pow = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4, p: 5 }[unit];
  if (pow === undefined) return undefined;
  return n * 1024 ** pow;
}
