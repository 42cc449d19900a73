/** Shared helpers for simulator tests that drive real clients. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/sim → repository root
export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const KUBECTL = join(REPO, '.tools/bin/kubectl');

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl with its own discovery cache dir, bounded in time. */
export function kubectl(kubeconfig: string, cacheDir: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolvePromise) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: timeoutMs, env: { ...process.env, HOME: cacheDir } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Starts `kubectl … -w` and collects output until `stopAfterMs`, then kills it. */
export function kubectlWatch(kubeconfig: string, cacheDir: string, args: string[], stopAfterMs: number): Promise<string> {
  return new Promise((resolvePromise) => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env: { ...process.env, HOME: cacheDir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), stopAfterMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(out);
    });
  });
}

export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
