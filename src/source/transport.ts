/**
 * What the list-watch loop needs from HTTP: a JSON GET and a streaming GET. KubeHttp provides
 * them against a real API server; tests provide them from memory.
 */

/** The part of a streaming HTTP response the loop reads; http.IncomingMessage satisfies it. */
export interface StreamingResponse {
  readonly statusCode?: number | undefined;
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  setEncoding(encoding: 'utf8'): unknown;
  on(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  on(event: 'end' | 'close' | 'aborted', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(event: 'data'): unknown;
  /** Discards the rest of the body. */
  resume(): unknown;
  destroy(): unknown;
}

export interface ListWatchTransport {
  /**
   * A parsed JSON document; non-2xx answers reject with HttpStatusError. `onHead`, if given, is
   * called once with the start of a 2xx body (its first few KiB, or all of a shorter one) as soon
   * as that has arrived, before the rest.
   */
  getJson(path: string, signal: AbortSignal, onHead?: (head: string) => void): Promise<unknown>;
  /** Resolves once the headers arrive, whatever the status, for the caller to stream the body. */
  open(path: string, signal: AbortSignal): Promise<StreamingResponse>;
}
