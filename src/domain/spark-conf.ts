/**
 * Spark configuration values as Spark itself reads them (JavaUtils.timeStringAs and the typed
 * ConfigEntry readers): a value Spark would refuse is refused here too, never guessed at, so a
 * setting the exporter reports is the setting Spark runs with.
 */

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A Spark time string in milliseconds: `60s`, `2min`, `120000ms`, `1h`; a bare number is in the
 * setting's own unit (seconds for executorIdleTimeout, milliseconds for shuffleTracking.timeout).
 * No fractions and no space before the unit, as in Spark.
 */
export function sparkTimeMs(raw: unknown, bareUnitMs: number): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw * bareUnitMs : undefined;
  if (typeof raw !== 'string') return undefined;
  const m = /^(-?[0-9]+)([a-z]+)?$/.exec(raw.toLowerCase().trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === undefined ? bareUnitMs : TIME_UNITS_MS[m[2]];
  if (unit === undefined || n < 0 || !Number.isSafeInteger(n)) return undefined;
  return n * unit;
}

/** A Spark boolean: `true`/`false`, any case, as Scala's toBoolean. */
export function sparkBool(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

/** A non-negative int setting (executor counts), as a JSON number or Spark's string. */
export function sparkCount(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[0-9]{1,10}\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined;
}

/** `3.4.2-vendor-SNAPSHOT` → [3, 4]; undefined when it names no version. */
export function sparkMinorVersion(raw: unknown): readonly [number, number] | undefined {
  const m = typeof raw === 'string' ? /^v?(\d+)\.(\d+)/.exec(raw.trim()) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
