import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executorSettings } from '../../src/domain/dynamic-allocation.js';
import { sparkBool, sparkCount, sparkMinorVersion, sparkTimeMs } from '../../src/domain/spark-conf.js';

test('Spark time strings read as Spark reads them; anything Spark refuses is refused', () => {
  const s = (raw: unknown) => sparkTimeMs(raw, 1000);
  assert.equal(s('60s'), 60_000);
  assert.equal(s('60'), 60_000, 'a bare number is in the setting\'s unit (seconds here)');
  assert.equal(sparkTimeMs('60', 1), 60, 'and milliseconds for shuffleTracking.timeout');
  assert.equal(s('2min'), 120_000);
  assert.equal(s('2m'), 120_000);
  assert.equal(s('120000ms'), 120_000);
  assert.equal(s('1h'), 3_600_000);
  assert.equal(s(' 1D '), 86_400_000, 'case and outer space are folded');
  assert.equal(s(300), 300_000);
  for (const bad of ['1.5s', '60 s', '5sec', '1w', '', 'abc', '-5s', 1.5, null, {}]) assert.equal(s(bad), undefined, String(bad));
  assert.equal(sparkBool('TRUE'), true);
  assert.equal(sparkBool('yes'), undefined);
  assert.equal(sparkCount('4'), 4);
  assert.equal(sparkCount('-1'), undefined);
  assert.deepEqual(sparkMinorVersion('3.4.2-vendor-SNAPSHOT'), [3, 4]);
});

test('dynamic allocation: the operator\'s field wins over sparkConf, Spark\'s defaults fill the rest', () => {
  const s = executorSettings({
    sparkVersion: '3.5.1',
    dynamicAllocation: { enabled: true, minExecutors: 2, maxExecutors: 10 },
    sparkConf: { 'spark.dynamicAllocation.minExecutors': '5', 'spark.dynamicAllocation.executorIdleTimeout': '30s' },
  });
  assert.deepEqual(Object.fromEntries(s.dynamicAllocation), {
    enabled: 1,
    min_executors: 2,
    max_executors: 10,
    initial_executors: 2,
    executor_idle_timeout_seconds: 30,
    shuffle_tracking: 1,
    decommission: 0,
  });
  assert.equal(s.floor, 2, 'the minimum');
  assert.deepEqual(s.bad, []);
});

test('dynamic allocation from sparkConf alone, on Spark 3.3 (shuffle tracking off by default) and with a bad value', () => {
  const s = executorSettings({
    sparkVersion: '3.3.2',
    executor: { instances: 3 },
    sparkConf: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.executorIdleTimeout': '1.5min', 'spark.dynamicAllocation.maxExecutors': 'lots' },
  });
  const m = Object.fromEntries(s.dynamicAllocation);
  assert.equal(m['shuffle_tracking'], 0);
  assert.equal(m['initial_executors'], 3, 'max(min, initial, instances)');
  assert.equal(m['executor_idle_timeout_seconds'], undefined, 'a refused value is left out, never guessed');
  assert.equal(m['max_executors'], undefined);
  assert.deepEqual([...s.bad].sort(), ['spark.dynamicAllocation.executorIdleTimeout=1.5min', 'spark.dynamicAllocation.maxExecutors=lots']);
  assert.equal(s.floor, 3, 'no minimum or initial: the instances');
});

test('without dynamic allocation the floor is the instances, the operator\'s 1 when unset; defaults are Spark\'s', () => {
  assert.equal(executorSettings({ executor: { instances: 4 } }).floor, 4);
  const d = executorSettings(undefined);
  assert.equal(d.floor, 1);
  assert.deepEqual(Object.fromEntries(d.dynamicAllocation), { enabled: 0, min_executors: 0, max_executors: 2_147_483_647, initial_executors: 0, executor_idle_timeout_seconds: 60, shuffle_tracking: 1, decommission: 0 });
});
