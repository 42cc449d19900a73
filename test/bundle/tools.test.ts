/**
 * The bundle against the real tools: `promtool check rules` on both rule files, `promtool test
 * rules` on the unit tests in test/bundle/promtool (every alert: fires, quiet a minute before its
 * `for`, exact labels and annotations, HA duplicates), and `amtool` on the routing example.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { ALERT_NAMES } from '../../src/bundle/alerts/index.js';
import { DEFAULT_BUNDLE_CONFIG } from '../../src/bundle/config.js';
import { PROMTOOL_TESTS, REPO, tool } from './paths.js';

const run = promisify(execFile);
const TIMEOUT = 60_000;

async function exec(bin: string, args: string[], cwd = REPO): Promise<{ code: number; out: string; stdout: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd, timeout: TIMEOUT, maxBuffer: 16 << 20 });
    return { code: 0, out: stdout + stderr, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.killed ? ' (timed out)' : ''}`, stdout: e.stdout ?? '' };
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'bundle-tools-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('promtool', { timeout: 5 * TIMEOUT }, () => {
  it('checks the plain rules file and the PrometheusRule spec', async () => {
    const plain = await exec(tool('promtool'), ['check', 'rules', 'alerts/spark-k8s-exporter.rules.yaml']);
    assert.equal(plain.code, 0, plain.out);
    assert.match(plain.out, /SUCCESS: \d+ rules found/);
    const crd = parse(readFileSync(join(REPO, 'alerts/spark-k8s-exporter.prometheusrule.yaml'), 'utf8')) as { spec: unknown };
    const specFile = join(tmp, 'prometheusrule-spec.yaml');
    writeFileSync(specFile, stringify(crd.spec));
    const fromCrd = await exec(tool('promtool'), ['check', 'rules', specFile]);
    assert.equal(fromCrd.code, 0, fromCrd.out);
    assert.equal(fromCrd.out.match(/(\d+) rules found/)?.[1], plain.out.match(/(\d+) rules found/)?.[1]);
  });

  it('rejects a broken rules file (the check is real)', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(up[5m])\n');
    const r = await exec(tool('promtool'), ['check', 'rules', bad]);
    assert.notEqual(r.code, 0);
  });

  it('passes the unit tests, which cover every alert firing and quiet before its for', async () => {
    const tests = readdirSync(PROMTOOL_TESTS).filter((f) => f.endsWith('.yaml')).sort();
    assert.ok(tests.length >= 3);
    const r = await exec(tool('promtool'), ['test', 'rules', ...tests], PROMTOOL_TESTS);
    assert.equal(r.code, 0, r.out);
    const text = tests.map((f) => readFileSync(join(PROMTOOL_TESTS, f), 'utf8')).join('\n');
    for (const name of ALERT_NAMES) {
      assert.match(text, new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `${name} never asserted firing`);
      assert.match(text, new RegExp(`alertname: ${name}\\n\\s+exp_alerts: \\[\\]`), `${name} never asserted quiet`);
    }
  });
});

describe('amtool', { timeout: 5 * TIMEOUT }, () => {
  const config = 'alerts/alertmanager-example.yaml';

  it('accepts the example Alertmanager configuration', async () => {
    const r = await exec(tool('amtool'), ['check-config', config]);
    assert.equal(r.code, 0, r.out);
  });

  const cases: Array<[string, string[]]> = [
    ['team-alpha-pager', ['alertname=SparkDriverOOMKilled', 'team=team-alpha', 'namespace=etl', 'severity=critical']],
    ['team-alpha-chat', ['alertname=SparkExecutorOOMKilled', 'team=team-alpha', 'namespace=etl', 'severity=warning']],
    ['team-alpha-info', ['alertname=SparkExecutorMemoryOverheadLow', 'team=team-alpha', 'namespace=etl', 'severity=info']],
    // A team's production namespace has its own receivers.
    ['spark-etl-prod-pager', ['alertname=SparkNamespaceQuotaExhausted', 'team=team-alpha', 'namespace=spark-etl-prod', 'severity=critical']],
    ['spark-etl-prod-chat', ['alertname=SparkExecutorChurnHigh', 'team=team-alpha', 'namespace=spark-etl-prod', 'severity=warning']],
    ['team-beta-pager', ['alertname=SparkNamespaceQuotaExhausted', 'team=team-beta', 'namespace=analytics', 'severity=critical']],
    ['team-beta-chat', ['alertname=SparkApplicationFailed', 'team=team-beta', 'namespace=analytics', 'severity=warning']],
    // The exporter's health goes to the platform team whatever labels it carries.
    ['spark-platform-pager', ['alertname=SparkK8sExporterDown', 'job=spark-k8s-exporter', 'severity=critical']],
    ['spark-platform-chat', ['alertname=SparkK8sExporterWatchStalled', 'resource=pods', 'severity=warning']],
    // Spark alerts of an unknown team still reach someone.
    ['spark-platform-chat', ['alertname=SparkExecutorsPendingTooLong', 'team=unknown', 'namespace=x', 'severity=warning']],
    ['default', ['alertname=Watchdog', 'severity=none']],
  ];
  for (const [receiver, labels] of cases) {
    it(`routes ${labels.join(' ')} to ${receiver}`, async () => {
      const r = await exec(tool('amtool'), ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receiver}`, ...labels]);
      assert.equal(r.code, 0, r.out);
      assert.equal(r.stdout.trim(), receiver);
    });
  }

  it('fails verification for a wrong receiver (the route test is real)', async () => {
    const r = await exec(tool('amtool'), ['config', 'routes', 'test', `--config.file=${config}`, '--verify.receivers=team-beta-pager', 'team=team-alpha', 'severity=critical']);
    assert.notEqual(r.code, 0);
  });

  it('routes by the configured team and namespace labels', () => {
    const am = parse(readFileSync(join(REPO, config), 'utf8')) as { route: { group_by: string[] } };
    assert.ok(am.route.group_by.includes(DEFAULT_BUNDLE_CONFIG.teamLabel) && am.route.group_by.includes(DEFAULT_BUNDLE_CONFIG.namespaceLabel));
  });
});
