import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../bench/args.js';

test('a full run takes 60 scrapes per size and 100 at the largest, where p99 is then not the single worst', () => {
  const a = parseArgs([]);
  assert.deepEqual([a.scrapes, a.scrapesLargest], [60, 100]);
  assert.deepEqual(a.sizes, [1_000, 10_000, 50_000, 150_000]);
});

test('--scrapes alone sets every size; --scrapes-largest sets the largest, in either order', () => {
  const one = parseArgs(['--sizes', '200', '--scrapes', '2']);
  assert.deepEqual([one.scrapes, one.scrapesLargest], [2, 2]);
  assert.equal(parseArgs(['--scrapes-largest', '200', '--scrapes', '30']).scrapesLargest, 200);
  assert.equal(parseArgs(['--scrapes', '30', '--scrapes-largest', '200']).scrapesLargest, 200);
  assert.equal(parseArgs(['--scrapes', '2', '--scrapes', '5']).scrapesLargest, 5, 'the last --scrapes, as for every flag');
});

test('bad flags are refused with the flag named', () => {
  assert.throws(() => parseArgs(['--scrapes-largest', '0']), /--scrapes-largest must be positive/);
  assert.throws(() => parseArgs(['--scrapes']), /--scrapes needs a value/);
  assert.throws(() => parseArgs(['--nope']), /unknown argument --nope .*--scrapes-largest/);
});
