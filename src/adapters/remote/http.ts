/**
 * A bounded HTTP(S) GET for remote sources: a total timeout, a body size cap, TLS options from a
 * kubeconfig. Never hangs and never buffers unbounded output; failures are HetpoolErrors naming
 * the URL.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HetpoolError } from '../../model/errors.js';

/** Options of `httpGet`. */
export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Whole-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Largest body accepted, bytes (default 32 MiB). */
  maxBytes?: number;
  /** TLS: CA bundle, client certificate and key (PEM), and whether to skip server verification. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  signal?: AbortSignal;
}

/** GET `url` and return the body as text; rejects with HetpoolError on any failure or non-2xx status. */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new HetpoolError('invalid-input', 'url', `not a URL: ${url.slice(0, 200)}`));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return Promise.reject(new HetpoolError('invalid-input', 'url', `unsupported protocol ${u.protocol} (http or https)`));
  const max = options.maxBytes ?? 32 * 1024 * 1024;
  const timeout = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (e: HetpoolError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method: 'GET',
      headers: { accept: '*/*', ...(options.headers ?? {}) },
      ...(u.protocol === 'https:' ? { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: !options.insecureSkipTlsVerify } : {}),
    }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) fail(new HetpoolError('parse-error', url, `response larger than ${max} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (done) return;
        const body = Buffer.concat(chunks).toString('utf8');
        if (status < 200 || status > 299) {
          fail(new HetpoolError(status === 401 || status === 403 ? 'permission-denied' : status === 404 ? 'not-found' : 'parse-error', url, `HTTP ${status}: ${body.slice(0, 200)}`));
          return;
        }
        done = true;
        clearTimeout(timer);
        resolve(body);
      });
      res.on('error', (e) => fail(new HetpoolError('parse-error', url, `response error: ${e.message}`)));
    });
    const timer = setTimeout(() => fail(new HetpoolError('parse-error', url, `no complete answer within ${timeout} ms`)), timeout);
    req.on('error', (e) => fail(new HetpoolError('parse-error', url, `cannot fetch: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    options.signal?.addEventListener('abort', () => fail(new HetpoolError('parse-error', url, 'aborted')), { once: true });
    req.end();
  });
}
