import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countedType, decodeLine, decodeValue, LineFramer } from '../../src/source/watch-decoder.js';
import { continueFromHead, decodeListPage } from '../../src/source/list-page.js';

test('framing: lines split across chunks, several per chunk, blank keep-alives and CRLF', () => {
  const f = new LineFramer();
  assert.deepEqual(f.push('{"a":'), []);
  assert.equal(f.buffered, 5);
  assert.deepEqual(f.push('1}\n{"b":2}\n\n  \n{"c"'), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(f.push(':3}\r\n'), ['{"c":3}']);
  assert.equal(f.buffered, 0);
  assert.deepEqual(f.push('\n'), []);
});

test('events: object events carry their resourceVersion; a bad object is left to the consumer', () => {
  assert.deepEqual(decodeLine('{"type":"ADDED","object":{"metadata":{"resourceVersion":"7"}}}'), { kind: 'event', type: 'ADDED', object: { metadata: { resourceVersion: '7' } }, rv: '7' });
  assert.deepEqual(decodeLine('{"type":"DELETED","object":"x"}'), { kind: 'event', type: 'DELETED', object: 'x', rv: undefined });
  assert.deepEqual(decodeLine('{"type":"MODIFIED","object":{"metadata":{"resourceVersion":7}}}'), { kind: 'event', type: 'MODIFIED', object: { metadata: { resourceVersion: 7 } }, rv: undefined });
  assert.deepEqual(decodeLine('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}'), { kind: 'event', type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } }, rv: '9' });
});

test('rejections: every JSON shape that is not an event has a reason', () => {
  const reason = (line: string) => {
    const d = decodeLine(line);
    return d.kind === 'reject' ? d.reason : d.kind;
  };
  for (const line of ['null', '42', '"ADDED"', 'true', '[]', '[{"type":"ADDED"}]', '{}', '{"type":5}', '{"type":null,"object":{}}', '{"object":{}}']) {
    assert.equal(reason(line), 'not_an_event', line);
  }
  assert.equal(reason('not json'), 'bad_json');
  assert.equal(reason('{"type":"ADDED"'), 'bad_json');
  assert.equal(reason('{"type":"WHAT","object":{}}'), 'unknown_event_type');
  assert.equal(reason('{"type":"added","object":{}}'), 'unknown_event_type', 'types are case-sensitive');
  for (const o of ['null', '"x"', '5', '[]', 'absent']) {
    assert.equal(reason(o === 'absent' ? '{"type":"ERROR"}' : `{"type":"ERROR","object":${o}}`), 'bad_error_event', o);
    assert.equal(reason(o === 'absent' ? '{"type":"BOOKMARK"}' : `{"type":"BOOKMARK","object":${o}}`), 'bad_bookmark', o);
  }
  assert.equal(reason('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":12}}}'), 'bad_bookmark');
});

test('ERROR events: 410 (by code or reason) is expiry, anything else a plain error', () => {
  assert.deepEqual(decodeLine('{"type":"ERROR","object":{"code":410}}'), { kind: 'error', expired: true, detail: '{"code":410}' });
  assert.equal((decodeValue({ type: 'ERROR', object: { reason: 'Expired' } }) as { expired: boolean }).expired, true);
  assert.equal((decodeValue({ type: 'ERROR', object: { reason: 'Gone' } }) as { expired: boolean }).expired, true);
  assert.equal((decodeValue({ type: 'ERROR', object: { code: 500, reason: 'InternalError' } }) as { expired: boolean }).expired, false);
  assert.equal((decodeValue({ type: 'ERROR', object: { code: '410' } }) as { expired: boolean }).expired, false);
});

test('counted types are bounded: a hostile type never becomes a label value', () => {
  assert.equal(countedType(decodeLine('{"type":"WHAT"}')), 'UNKNOWN');
  assert.equal(countedType(decodeLine('null')), 'UNKNOWN');
  assert.equal(countedType(decodeLine('{"type":"ERROR"}')), 'ERROR');
  assert.equal(countedType(decodeLine('{"type":"BOOKMARK"}')), 'BOOKMARK');
  assert.equal(countedType(decodeLine('{"type":"ADDED","object":{}}')), 'ADDED');
  assert.equal(countedType(decodeLine('nope')), undefined);
});

test('details are bounded, whatever the line holds', () => {
  const d = decodeLine(JSON.stringify({ type: 'x'.repeat(10_000) }));
  assert.ok(d.kind === 'reject' && d.detail.length <= 200);
  const e = decodeLine(JSON.stringify({ type: 'ERROR', object: { message: 'y'.repeat(10_000) } }));
  assert.ok(e.kind === 'error' && e.detail.length <= 200);
});

test('list pages: only an object with an items array (or Go\'s null) is a list', () => {
  assert.deepEqual(decodeListPage({ metadata: { resourceVersion: '5', continue: 'c' }, items: [1] }), { ok: true, items: [1], resourceVersion: '5', continueToken: 'c' });
  assert.deepEqual(decodeListPage({ metadata: { continue: '' }, items: null }), { ok: true, items: [], resourceVersion: undefined, continueToken: undefined });
  assert.deepEqual(decodeListPage({ metadata: 'x', items: [] }), { ok: true, items: [], resourceVersion: undefined, continueToken: undefined });
  for (const body of [null, 1, 'list', [], [{ items: [] }], {}, { items: {} }, { items: 'a' }, { items: 3 }]) {
    assert.equal(decodeListPage(body).ok, false, JSON.stringify(body));
  }
});

test('list heads: the continue token is read from the start of a body only when metadata comes first', () => {
  const page = '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5124","continue":"eyJ2IjoxfQ","remainingItemCount":4500},"items":[{"metadata":{"name":"a"';
  assert.deepEqual(continueFromHead(page), { known: true, continueToken: 'eyJ2IjoxfQ' });
  assert.deepEqual(continueFromHead('{"kind":"PodList","metadata":{"resourceVersion":"9"},"items":[]}'), { known: true, continueToken: undefined }, 'the last page');
  assert.deepEqual(continueFromHead('{"metadata":{"continue":""}, "items": ['), { known: true, continueToken: undefined });
  const unknown = { known: false };
  // The token comes after the items, or cannot be told from this much of the body.
  assert.deepEqual(continueFromHead('{"items":[{"metadata":{"continue":"x"}}],"metadata":{"continue":"2"}}'), unknown);
  assert.deepEqual(continueFromHead('{"kind":"PodList","metadata":{"resourceVersion":"5","cont'), unknown);
  assert.deepEqual(continueFromHead('{"kind":"PodList","apiVersion":"v1","items":['), unknown, 'no metadata before the items');
  // An "items": that is not the top-level key: inside a key, in metadata, in an object in metadata.
  assert.deepEqual(continueFromHead(String.raw`{"metadata":{"x\"items":1,"continue":"c"},"items":[`), unknown, 'inside a key');
  assert.deepEqual(continueFromHead('{"metadata":{"continue":"a","items":[1]'), unknown, 'in metadata');
  assert.deepEqual(continueFromHead('{"metadata":{"continue":"a","x":{"items":[1]}},"items":['), unknown, 'in an object in metadata');
  assert.deepEqual(continueFromHead('{"metadata":{"continue":7},"items":['), unknown, 'a token that is not a string');
  assert.deepEqual(continueFromHead('[{"metadata":{"continue":"a"},"items":['), unknown, 'not an object');
  assert.deepEqual(continueFromHead(''), unknown);
});
