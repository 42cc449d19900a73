/**
 * What can be checked of the Dockerfile without a Docker engine: exact base image pins, a
 * production-only runtime install, a non-root user, and an entrypoint that exists after the build.
 * And what ships (image and npm package): serve, demo and simulate, never the bundle and README
 * generators (src/bundle, src/docs) or a dev dependency.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { RUNTIME_NODE_FLAGS } from '../../src/cli/runtime-flags.js';
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

/** Generators and their dev-only inputs: never part of what runs. */
const DEV_ONLY = /^src\/(bundle|docs)\//;

/** Every compiled module the entry point reaches through static and dynamic imports, and the packages it imports. */
async function importClosure(distRoot: string, entry: string): Promise<{ modules: Set<string>; packages: Set<string> }> {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const todo = [path.join(distRoot, entry)];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    const rel = path.relative(distRoot, file);
    if (modules.has(rel)) continue;
    modules.add(rel);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  }
  return { modules, packages };
}

describe('what ships', async () => {
  const pkg = rec(JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')), 'package.json');
  const prod = new Set(Object.keys(rec(pkg['dependencies'], 'dependencies')));

  test('serve, demo and simulate reach no generator module and no dev dependency', async () => {
    // main.js loads demo and simulate with import(): the walk follows those too.
    const { modules, packages } = await importClosure(path.join(REPO_ROOT, 'dist'), 'src/cli/main.js');
    for (const must of ['src/cli/serve.js', 'src/cli/demo.js', 'src/sim/cli.js', 'src/sim/index.js']) assert.ok(modules.has(must), `${must} is reached`);
    for (const m of modules) assert.doesNotMatch(m, DEV_ONLY, `${m} is imported by what runs`);
    for (const p of packages) assert.ok(prod.has(p), `${p} is imported by what runs but is not a production dependency`);
  });

  test('the npm package carries the runtime and the simulator, not the generators', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    assert.ok(report);
    const files = report.files.map((f) => f.path);
    for (const must of ['dist/src/cli/main.js', 'dist/src/cli/demo.js', 'dist/src/sim/index.js', 'dist/src/exporter.js']) assert.ok(files.includes(must), `${must} is packed`);
    const dev = files.filter((f) => DEV_ONLY.test(f.replace(/^dist\//, '')));
    assert.deepEqual(dev, [], 'no bundle or README generator in the package');
  });

  test('the image build never sees the generators', async () => {
    const lines = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim());
    const allow = lines.indexOf('!src');
    assert.ok(allow >= 0, 'src is sent');
    for (const dir of ['src/bundle', 'src/docs']) assert.ok(lines.indexOf(dir) > allow, `${dir} is excluded after !src`);
  });
});

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
    for (const c of ops(runtime, 'COPY')) assert.doesNotMatch(c, /\bsrc\/(bundle|docs)\b/, `the runtime copies no generator: ${c}`);
  });

  test('runs as a non-root user', () => {
    const user = ops(runtime, 'USER');
    assert.equal(user.length, 1, 'one USER in the runtime stage');
    const [name] = (user[0] ?? '').split(':');
    assert.ok(name && name !== 'root' && name !== '0', `USER ${user[0]}`);
    assert.ok(name === 'node' || (/^\d+$/.test(name) && Number(name) > 0), 'a named non-root user or a non-zero uid');
  });

  test('entrypoint is node with the runtime flags on the package bin, serving by default; the file exists after the build', async () => {
    assert.deepEqual(ops(runtime, 'ENTRYPOINT').map((e): unknown => JSON.parse(e)), [['node', ...RUNTIME_NODE_FLAGS, 'dist/src/cli/main.js']]);
    assert.deepEqual(ops(runtime, 'CMD').map((e): unknown => JSON.parse(e)), [['serve']]);
    const pkg = rec(JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')), 'package.json');
    assert.equal(rec(pkg['bin'], 'bin')['spark-k8s-exporter'], 'dist/src/cli/main.js');
    // What the bench measures (bench/harness.ts passes the same flags) is what `npm start` runs.
    assert.equal(rec(pkg['scripts'], 'scripts')['start'], ['node', ...RUNTIME_NODE_FLAGS, 'dist/src/cli/main.js'].join(' '));
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
