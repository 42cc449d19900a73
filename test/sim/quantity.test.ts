/**
 * The simulator's quantity parser (the oracle) against the exporter's (under test): two
 * independent implementations of apimachinery's grammar must accept the same strings and read
 * the same values. A disagreement is a bug in one of them, and a comment here if deliberate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseQuantity as exporterParse } from '../../src/domain/quantity.js';
import { parseQuantity as simParse } from '../../src/sim/quantity.js';

function sim(text: string): number | undefined {
  try {
    return simParse(text);
  } catch {
    return undefined;
  }
}


/** Both reject, or both accept with values equal to within rounding (they compute differently). */
function agree(text: string): void {
  const a = exporterParse(text);
  const b = sim(text);
  if (a === undefined || b === undefined) {
    assert.equal(a === undefined, b === undefined, `"${text}": exporter ${String(a)}, simulator ${String(b)}`);
    return;
  }
  const scale = Math.max(Math.abs(a), Math.abs(b));
  assert.ok(a === b || Math.abs(a - b) <= scale * 1e-12, `"${text}": exporter ${a}, simulator ${b}`);
}

const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const sign = fc.constantFrom('', '+', '-');
const number = fc.oneof(
  digits(1, 12),
  fc.tuple(digits(1, 8), digits(1, 8)).map(([w, f]) => `${w}.${f}`),
  digits(1, 8).map((w) => `${w}.`),
  digits(1, 9).map((f) => `.${f}`),
);
const suffix = fc.oneof(
  fc.constantFrom('Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E'),
  fc.tuple(fc.constantFrom('e', 'E'), sign, digits(1, 2)).map(([e, s, d]) => `${e}${s}${d}`),
);
const wellFormed = fc.tuple(sign, number, suffix).map(([s, n, x]) => `${s}${n}${x}`);

test('every well-formed quantity: both accept it, with the same value', () => {
  fc.assert(
    fc.property(wellFormed, (text) => {
      assert.notEqual(sim(text), undefined, `simulator rejects "${text}"`);
      agree(text);
    }),
    { numRuns: 5000 },
  );
});

test("strings from the grammar's alphabet: accepted and rejected alike", () => {
  // No spaces: the exporter trims (it reads quantities the API server already canonicalised),
  // the API server, and so the simulator, rejects " 1".
  const junk = fc.array(fc.constantFrom(...'0123456789.+-eEinumkKMGTP'), { maxLength: 8 }).map((c) => c.join(''));
  fc.assert(fc.property(junk, agree), { numRuns: 20000 });
});

test('hand-picked quantities and non-quantities', () => {
  const values: Array<[string, number]> = [
    ['0', 0], ['1', 1], ['500m', 0.5], ['100m', 0.1], ['1.5', 1.5], ['.5', 0.5], ['1.', 1], ['007', 7],
    ['2k', 2000], ['3M', 3e6], ['4G', 4e9], ['5T', 5e12], ['6P', 6e15], ['7E', 7e18], ['250u', 2.5e-4], ['9n', 9e-9],
    ['1Ki', 1024], ['1.5Gi', 1.5 * 2 ** 30], ['4096Mi', 2 ** 32], ['2Ti', 2 ** 41], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['1e3', 1000], ['1E3', 1000], ['1e+3', 1000], ['1e-3', 0.001], ['2.5e2', 250], ['-1', -1], ['+1', 1], ['-.5Mi', -(2 ** 19)], ['-500m', -0.5],
  ];
  for (const [text, want] of values) {
    assert.equal(sim(text), want, `simulator "${text}"`);
    agree(text);
  }
  for (const text of ['', '.', '+', '-', 'e3', 'Mi', '1e', '1e+', '1K', '1ki', '1mi', '1Mi3', '1.2.3', '1e3.5', '--1', '1 Gi', '0x10', '1,5', 'NaN', 'Infinity', '1e400']) {
    assert.equal(sim(text), undefined, `simulator accepts "${text}"`);
    agree(text);
  }
  // Found by this test: a zero mantissa past the double range is 0, not 0 × Infinity.
  assert.equal(sim('0e600'), 0);
  assert.equal(exporterParse('0e600'), 0);
  // The one deliberate difference: surrounding spaces.
  assert.equal(exporterParse(' 1 '), 1);
  assert.equal(sim(' 1 '), undefined);
});
