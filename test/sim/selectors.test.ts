import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from '../../src/sim/selectors.js';
import { formatBytes, formatCpu, parseQuantity } from '../../src/sim/quantity.js';

const labels = { 'spark-role': 'executor', 'spark-app-selector': 'spark-abc', team: 'ml' };

test('label selector: equality, inequality, sets and existence', () => {
  const m = (s: string): boolean => matchesLabels(parseLabelSelector(s), labels);
  assert.equal(m('spark-role=executor'), true);
  assert.equal(m('spark-role==executor'), true);
  assert.equal(m('spark-role=driver'), false);
  assert.equal(m('spark-role!=driver'), true);
  assert.equal(m('team in (ml, analytics)'), true);
  assert.equal(m('team notin (ml)'), false);
  assert.equal(m('missing notin (x)'), true);
  assert.equal(m('team'), true);
  assert.equal(m('!team'), false);
  assert.equal(m('!absent,spark-role=executor'), true);
  assert.equal(m('spark-role=executor,team in (finance)'), false);
  assert.equal(m(''), true);
  assert.deepEqual(parseLabelSelector('a in (x,y),b'), [{ op: 'in', key: 'a', values: ['x', 'y'] }, { op: 'exists', key: 'b' }]);
});

test('label selector: malformed input is a clear error', () => {
  assert.throws(() => parseLabelSelector('a in (x'), SelectorError);
  assert.throws(() => parseLabelSelector('a=b,,c'), SelectorError);
  assert.throws(() => parseLabelSelector('bad key!=x'), SelectorError);
});

test('field selector: supported fields, = and !=, unsupported rejected', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  const supported = ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'];
  assert.equal(matchesFields(parseFieldSelector('status.phase=Running,metadata.namespace==ns', supported), pod), true);
  assert.equal(matchesFields(parseFieldSelector('status.phase!=Running', supported), pod), false);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName=', supported), pod), false);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName=', supported), { ...pod, spec: {} }), true);
  assert.throws(() => parseFieldSelector('spec.hostname=x', supported), /field label not supported: spec.hostname/);
});

test('quantities parse and print in canonical form', () => {
  assert.equal(parseQuantity('4608Mi'), 4608 * 2 ** 20);
  assert.equal(parseQuantity('1500m'), 1.5);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(formatBytes(4096 * 2 ** 20), '4Gi');
  assert.equal(formatBytes(4608 * 2 ** 20), '4608Mi');
  assert.equal(formatCpu(1.5), '1500m');
  assert.equal(formatCpu(40), '40');
  assert.throws(() => parseQuantity('4 GB'));
});
