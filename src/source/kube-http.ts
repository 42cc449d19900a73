/**
 * Raw HTTP to the API server with the credentials of a kubeconfig or the in-cluster service account.
 * client-node supplies config loading and auth (tokens, exec plugins, client certs, CAs); the
 * requests are made here so lists and watches are parsed once, as plain JSON, without the typed
 * model classes client-node would build for every object.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { existsSync } from 'node:fs';
import type { ListWatchTransport, StreamingResponse } from './transport.js';

export class ConfigError extends Error {}

export interface KubeConfigOptions {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
}

/** Loads a kubeconfig (flag, KUBECONFIG, ~/.kube/config) or the in-cluster config, with clear errors. */
export function loadKubeConfig(opts: KubeConfigOptions, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const file = opts.kubeconfig ?? env['KUBECONFIG']?.split(':')[0];
  try {
    if (file) {
      if (!existsSync(file)) throw new ConfigError(`kubeconfig ${file} does not exist (set --kubeconfig or KUBECONFIG to a readable file)`);
      kc.loadFromFile(file);
    } else if (env['KUBERNETES_SERVICE_HOST']) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot load kubeconfig${file ? ` ${file}` : ''}: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new ConfigError(`context "${opts.context}" is not in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConfigError('the kubeconfig has no current cluster: run with --kubeconfig FILE, set KUBECONFIG, or run in a pod');
  try {
    new URL(cluster.server);
  } catch {
    throw new ConfigError(`cluster "${cluster.name}" has an invalid server URL: ${cluster.server}`);
  }
  return kc;
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }
}

export class KubeHttp implements ListWatchTransport {
  readonly server: URL;
  private agent: http.Agent | undefined;
  private readonly kc: KubeConfig;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ConfigError('no current cluster');
    this.server = new URL(cluster.server);
    // client-node refuses plain-HTTP servers (kubectl proxy, a local simulator) unless TLS checks
    // are off; with no TLS there is nothing to check, so only its auth headers are taken then.
    if (this.server.protocol === 'http:' && !cluster.skipTLSVerify) {
      const plain = new KubeConfig();
      const user = kc.getCurrentUser();
      plain.loadFromClusterAndUser({ ...cluster, skipTLSVerify: true }, user ?? { name: 'anonymous' });
      this.kc = plain;
    } else {
      this.kc = kc;
    }
  }

  /** Opens a GET; resolves with the response once headers arrive, for the caller to stream. */
  async open(path: string, signal: AbortSignal, accept = 'application/json'): Promise<http.IncomingMessage> {
    const opts: https.RequestOptions = { headers: {} };
    // Re-applied per request: tokens rotate (bound service account tokens, exec plugins).
    await this.kc.applyToHTTPSOptions(opts);
    // One keep-alive agent for the process, so paginated lists reuse connections.
    this.agent ??= makeAgent(this.server, opts);
    const url = new URL(path, this.server);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        url,
        { method: 'GET', agent: this.agent, headers: { ...opts.headers, Accept: accept, 'User-Agent': 'spark-k8s-exporter' }, signal },
        (res) => resolve(res),
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** GETs and parses a JSON document, turning non-2xx answers into HttpStatusError. */
  async getJson(path: string, signal: AbortSignal, onHead?: (head: string) => void): Promise<unknown> {
    const res = await this.open(path, signal);
    const status = res.statusCode ?? 0;
    const body = await readBody(res, status >= 200 && status < 300 ? onHead : undefined);
    if (status < 200 || status >= 300) throw statusError(status, body, res.headers['retry-after']);
    try {
      return JSON.parse(body);
    } catch {
      throw new HttpStatusError(status, 'BadJSON', `${path}: response is not JSON`, undefined);
    }
  }
}

function makeAgent(server: URL, opts: https.RequestOptions): http.Agent {
  const base = { keepAlive: true, maxSockets: 8 };
  if (server.protocol !== 'https:') return new http.Agent(base);
  const from = opts.agent instanceof https.Agent ? opts.agent.options : {};
  return new https.Agent({ ...from, ...base });
}

/** How much of a body `onHead` is given: a list's metadata, continue token included, fits. */
export const HEAD_BYTES = 4096;

export function readBody(res: StreamingResponse, onHead?: (head: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let headSent = onHead === undefined;
    const head = (): void => {
      headSent = true;
      const all = Buffer.concat(chunks);
      try {
        onHead?.(all.toString('utf8', 0, Math.min(all.length, HEAD_BYTES)));
      } catch {
        // Only a hint for reading ahead: a hook that fails must not cost the body.
      }
    };
    res.on('data', (c) => {
      const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      chunks.push(b);
      size += b.length;
      if (!headSent && size >= HEAD_BYTES) head();
    });
    res.on('end', () => {
      if (!headSent) head();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}

export function statusError(status: number, body: string, retryAfter: string | string[] | undefined): HttpStatusError {
  let reason = String(status);
  let message = body.slice(0, 300);
  try {
    const s = JSON.parse(body) as { reason?: unknown; message?: unknown };
    if (typeof s.reason === 'string') reason = s.reason;
    if (typeof s.message === 'string') message = s.message;
  } catch {
    /* not a Status object: keep the raw text */
  }
  const ra = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return new HttpStatusError(status, reason, `HTTP ${status} ${reason}: ${message}`, Number.isFinite(ra) ? ra : undefined);
}
