/**
 * What can be checked of the Dockerfile without a Docker engine: exact base image pins, a
 * production-only runtime install, a non-root user, and an entrypoint that exists after the build.
 */
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, rec } from './helm.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    const args = m[2] ?? '';
    if (op === 'FROM') {
      const parts = args.split(/\s+/);
      stages.push({ from: parts[0] ?? '', name: /^as$/i.test(parts[1] ?? '') ? parts[2] : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      assert.ok(stage, `${op} before any FROM`);
      stage.instructions.push({ op, args });
    }
  }
  return stages;
}

function last<T>(items: readonly T[]): T {
  const item = items.at(-1);
  assert.ok(item !== undefined);
  return item;
}

describe('Dockerfile', async () => {
  const text = await readFile(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const stages = parseDockerfile(text);
  const runtime = last(stages);
  const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

  test('multi-stage, every base an exact Node 20 release', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    for (const stage of stages) {
      assert.match(stage.from, /^node:20\.\d+\.\d+(-[a-z0-9]+)*(@sha256:[0-9a-f]{64})?$/, `pinned: ${stage.from}`);
      assert.doesNotMatch(stage.from, /latest/);
    }
  });

  test('the build stage installs dev dependencies and builds', () => {
    const build = stages[0];
    assert.ok(build);
    const runs = ops(build, 'RUN').join('\n');
    assert.match(runs, /npm ci\b/);
    assert.doesNotMatch(runs, /--omit=dev/);
    assert.match(runs, /npm run build/);
  });

  test('the runtime stage installs production dependencies only, without scripts, and copies dist', () => {
    const runs = ops(runtime, 'RUN').join('\n');
    assert.match(runs, /npm ci\b[^\n]*--omit=dev/);
    assert.match(runs, /npm ci\b[^\n]*--ignore-scripts/);
    assert.doesNotMatch(runs, /npm run build|tsc/);
    assert.ok(
      ops(runtime, 'COPY').some((c) => new RegExp(`^--from=${stages[0]?.name ?? '0'}\\s+\\S*dist`).test(c)),
      'dist is copied from the build stage',
    );
  });

  test('runs as a non-root user', () => {
    const user = ops(runtime, 'USER');
    assert.equal(user.length, 1, 'one USER in the runtime stage');
    const [name] = (user[0] ?? '').split(':');
    assert.ok(name && name !== 'root' && name !== '0', `USER ${user[0]}`);
    assert.ok(name === 'node' || (/^\d+$/.test(name) && Number(name) > 0), 'a named non-root user or a non-zero uid');
  });

  test('entrypoint is node on the package bin, serving by default; the file exists after the build', async () => {
    assert.deepEqual(ops(runtime, 'ENTRYPOINT').map((e): unknown => JSON.parse(e)), [['node', 'dist/src/cli/main.js']]);
    assert.deepEqual(ops(runtime, 'CMD').map((e): unknown => JSON.parse(e)), [['serve']]);
    const pkg = rec(JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')), 'package.json');
    assert.equal(rec(pkg['bin'], 'bin')['spark-k8s-exporter'], 'dist/src/cli/main.js');
    await access(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'));
  });

  test('.dockerignore keeps local node_modules, dist and the git history out of the context', async () => {
    const lines = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    // Either an allowlist (`*` then `!` entries) or explicit exclusions.
    if (lines.includes('*')) {
      for (const keep of lines.filter((l) => l.startsWith('!'))) {
        assert.doesNotMatch(keep, /node_modules|dist|\.git|\.tools/, `not re-included: ${keep}`);
      }
    } else {
      for (const excluded of ['node_modules', 'dist', '.git', '.tools']) assert.ok(lines.includes(excluded), excluded);
    }
  });
});
