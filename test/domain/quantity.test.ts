import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJavaMemory, parseQuantity } from '../../src/domain/quantity.js';

test('Kubernetes quantities parse exactly, in base units', () => {
  const cases: [string, number][] = [
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['10Gi', 10 * 2 ** 30],
    ['4505Mi', 4505 * 2 ** 20],
    ['1Ki', 1024],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2k', 2000],
    ['5M', 5e6],
    ['3G', 3e9],
    ['100n', 100e-9],
    ['250u', 250e-6],
    ['-1', -1],
    ['+4', 4],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['0', 0],
  ];
  for (const [text, want] of cases) assert.equal(parseQuantity(text), want, text);
});

test('non-quantities are rejected, not guessed', () => {
  for (const bad of ['', 'abc', '10GB', '1.2.3', '5 Gi', 'Gi', '1e', '--1', '10gi', null, undefined, {}, []]) {
    assert.equal(parseQuantity(bad), undefined, String(bad));
  }
  assert.equal(parseQuantity(Number.NaN), undefined);
});

test('Spark JVM memory strings are binary with one-letter suffixes', () => {
  assert.equal(parseJavaMemory('8g'), 8 * 2 ** 30);
  assert.equal(parseJavaMemory('1024m'), 2 ** 30);
  assert.equal(parseJavaMemory('512k'), 512 * 1024);
  assert.equal(parseJavaMemory('2G'), 2 * 2 ** 30);
  assert.equal(parseJavaMemory('4gb'), 4 * 2 ** 30);
  assert.equal(parseJavaMemory('1048576'), 1048576);
  assert.equal(parseJavaMemory('lots'), undefined);
  assert.equal(parseJavaMemory(42), undefined);
});
