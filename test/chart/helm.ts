/**
 * Test helpers: run the real helm (repo .tools/bin/helm, v4) against the chart and parse what it
 * renders into plain objects that the tests can walk without `any`.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** Compiled to dist/test/chart/, so the repository root is three levels up. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'spark-k8s-exporter');
export const HELM = path.join(REPO_ROOT, '.tools', 'bin', 'helm');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'chart', 'fixtures');
export const RELEASE = 'spark';
export const NAMESPACE = 'monitoring';

/** Generous for a loaded 2-core machine; a render normally takes well under a second. */
const HELM_TIMEOUT_MS = 60_000;

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runHelm(args: readonly string[]): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile(
      HELM,
      [...args],
      {
        timeout: HELM_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        // Keep helm away from the user's config, cache and any kubeconfig.
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: tmpdir(),
          HELM_CACHE_HOME: path.join(tmpdir(), 'spark-k8s-exporter-helm-cache'),
          HELM_CONFIG_HOME: path.join(tmpdir(), 'spark-k8s-exporter-helm-config'),
          HELM_DATA_HOME: path.join(tmpdir(), 'spark-k8s-exporter-helm-data'),
          KUBECONFIG: '/dev/null',
        },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`helm ${args.join(' ')} did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

export type Obj = Record<string, unknown>;

export interface K8sObject extends Obj {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Obj & { readonly name: string };
}

export interface RenderOptions {
  readonly valuesFiles?: readonly string[];
  /** `--set-json` pairs, so values keep their JSON types. */
  readonly setJson?: Readonly<Record<string, unknown>>;
  readonly chartDir?: string;
  readonly namespace?: string;
}

function templateArgs(opts: RenderOptions): string[] {
  const args = ['template', RELEASE, opts.chartDir ?? CHART_DIR, '--namespace', opts.namespace ?? NAMESPACE];
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(opts.setJson ?? {})) {
    args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

/** `helm template`, failing the test with helm's stderr if it does not render. */
export async function render(opts: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await runHelm(templateArgs(opts));
  if (result.code !== 0) {
    throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

/** `helm template` expected to fail; returns stderr. */
export async function renderError(opts: RenderOptions): Promise<string> {
  const result = await runHelm(templateArgs(opts));
  if (result.code === 0) throw new Error('helm template unexpectedly succeeded');
  return result.stderr;
}

export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    out.push(asK8sObject(value));
  }
  return out;
}

function asK8sObject(value: unknown): K8sObject {
  const o = rec(value, 'manifest');
  const metadata = rec(o['metadata'], 'metadata');
  if (typeof o['apiVersion'] !== 'string' || typeof o['kind'] !== 'string' || typeof metadata['name'] !== 'string') {
    throw new Error(`manifest without apiVersion/kind/metadata.name: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return o as K8sObject;
}

export function rec(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  }
  return value as Obj;
}

export function arr(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

export function str(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Walk a path of keys through nested objects. */
export function at(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const key of keys) cur = rec(cur, keys.join('.'))[key];
  return cur;
}

export function stringMap(value: unknown, where: string): Record<string, string> {
  const o = rec(value ?? {}, where);
  for (const [k, v] of Object.entries(o)) str(v, `${where}.${k}`);
  return o as Record<string, string>;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** True when every label of the selector is on the object with the same value. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The chart's example values files, ci/*-values.yaml style. */
export async function ciValuesFiles(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const dir = path.join(CHART_DIR, 'ci');
  return (await readdir(dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * A copy of the chart whose files/ come from a fixture directory, to test the templates' rule and
 * dashboard handling against known inputs. The caller removes it with the returned cleanup.
 */
export async function chartWithFiles(filesDir: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'spark-k8s-exporter-chart-'));
  const dir = path.join(root, 'spark-k8s-exporter');
  await cp(CHART_DIR, dir, {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(CHART_DIR, 'files')),
  });
  await cp(filesDir, path.join(dir, 'files'), { recursive: true });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** NOTES.txt as `helm install --dry-run=client` prints it (no cluster is contacted). */
export async function renderNotes(opts: RenderOptions = {}): Promise<string> {
  const args = ['install', RELEASE, opts.chartDir ?? CHART_DIR, '--dry-run=client', '--namespace', opts.namespace ?? NAMESPACE];
  for (const file of opts.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(opts.setJson ?? {})) args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  const result = await runHelm(args);
  if (result.code !== 0) throw new Error(`helm install --dry-run=client failed (${result.code}):\n${result.stderr}`);
  const notes = result.stdout.split('\nNOTES:\n')[1];
  if (notes === undefined) throw new Error(`no NOTES in:\n${result.stdout.slice(0, 500)}`);
  return notes;
}
