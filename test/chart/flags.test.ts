/**
 * The arguments the chart renders are ones the exporter accepts: every rendered container's args
 * go through the exporter's own flag parser (src/cli), and the schema's enums match its flags.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseFlags } from '../../src/cli/flags.js';
import { SERVE_FLAGS } from '../../src/cli/serve-flags.js';
import { configFromFlags } from '../../src/cli/serve.js';
import { CHART_DIR, arr, at, ciValuesFiles, rec, render } from './helm.js';
import { args, workload } from './workload.js';

describe('chart args against the exporter flag parser', () => {
  test('defaults and every ci values file render args that `serve` parses', async (t) => {
    for (const file of [undefined, ...(await ciValuesFiles())]) {
      await t.test(file ? path.basename(file) : 'defaults', async () => {
        const w = workload(await render({ valuesFiles: file ? [file] : [] }));
        const [command, ...flags] = args(w);
        assert.equal(command, 'serve');
        // An empty environment: the rendered args alone must configure the exporter.
        const parsed = parseFlags(SERVE_FLAGS, flags, {});
        assert.deepEqual(parsed.positionals, []);
        assert.equal(parsed.help, false);
        const replicas = at(w, 'spec', 'replicas');
        assert.equal(parsed.values['total-shards'], w.kind === 'StatefulSet' ? replicas : 1);
        assert.equal(parsed.values['shard'], undefined, 'the shard comes from POD_NAME');
      });
    }
  });

  test('config.watchNamespaces arrives as the namespaces list', async () => {
    const w = workload(await render({ setJson: { 'config.watchNamespaces': ['a', 'b'], 'config.auditInterval': '0' } }));
    const parsed = parseFlags(SERVE_FLAGS, args(w).slice(1), {});
    assert.deepEqual(parsed.values['namespaces'], ['a', 'b']);
    assert.equal(parsed.values['audit-interval'], 0);
  });

  test('config.enableGzipEncoding arrives as --enable-gzip-encoding, off by default', async () => {
    for (const on of [true, false]) {
      const w = workload(await render({ setJson: { 'config.enableGzipEncoding': on } }));
      const parsed = parseFlags(SERVE_FLAGS, args(w).slice(1), {});
      assert.equal(configFromFlags(parsed.values, {}).gzip, on);
    }
    const defaults = parseFlags(SERVE_FLAGS, args(workload(await render({}))).slice(1), {});
    assert.equal(configFromFlags(defaults.values, {}).gzip, false);
  });

  test('config.podInfo arrives as --pod-info and switches spark_k8s_pod_info in the exporter config', async () => {
    for (const on of [true, false]) {
      const w = workload(await render({ setJson: { 'config.podInfo': on } }));
      const parsed = parseFlags(SERVE_FLAGS, args(w).slice(1), {});
      assert.equal(parsed.values['pod-info'], on);
      assert.equal(configFromFlags(parsed.values, {}).podInfo, on);
    }
    assert.equal(parseFlags(SERVE_FLAGS, [], {}).values['pod-info'], true, 'on by default');
    assert.equal(parseFlags(SERVE_FLAGS, ['--no-pod-info'], {}).values['pod-info'], false);
  });

  test('every exporter flag is configurable through the chart, or deliberately left out', async () => {
    // Set by the chart from other values (web.tls, web.auth, autosharding) or meaningless in a pod.
    const elsewhere = new Set(['kubeconfig', 'context', 'host', 'namespaces', 'shard', 'total-shards', 'tls-cert-file', 'tls-key-file', 'auth-token-file']);
    const rendered = args(workload(await render({}))).slice(1).map((a) => a.replace(/^--/, '').split('=')[0]);
    for (const f of SERVE_FLAGS) {
      if (elsewhere.has(f.name)) continue;
      assert.ok(rendered.includes(f.name), `--${f.name} is not passed by the chart's config block`);
    }
  });

  test("the schema's log level and format enums are the exporter's", async () => {
    const schema = rec(JSON.parse(await readFile(path.join(CHART_DIR, 'values.schema.json'), 'utf8')), 'schema');
    const config = rec(at(schema, 'properties', 'config', 'properties'), 'config');
    for (const [key, flag] of [
      ['logLevel', 'log-level'],
      ['logFormat', 'log-format'],
    ] as const) {
      const def = SERVE_FLAGS.find((d) => d.name === flag);
      assert.ok(def?.values, flag);
      assert.deepEqual([...arr(rec(config[key], key)['enum'], key)].sort(), [...def.values].sort(), key);
    }
  });
});
