/**
 * Read nodes from a Kubernetes API server, read-only: `GET /api/v1/nodes` with the credentials of
 * a kubeconfig (bearer token, or client certificate and key; CA or insecure-skip-tls-verify).
 * The NodeList goes through the `k8s-node` parser.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { HetpoolError } from '../../model/errors.js';
import { pollingWatch, type Adapter, type WatchOptions } from '../adapter.js';
import { parseK8sNodes } from '../parsers/k8s-node.js';
import type { Inventory } from '../types.js';
import { httpGet } from './http.js';

/** What we need from a kubeconfig's current context. */
export interface KubeAccess {
  server: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const named = (list: unknown, name: string | undefined, what: string, src: string): Obj => {
  const items = Array.isArray(list) ? list.filter(isObj) : [];
  const hit = name === undefined ? items[0] : items.find((i) => i.name === name);
  if (!hit) throw new HetpoolError('invalid-input', `${src}:${what}`, name ? `no ${what} named "${name}"` : `no ${what} entries`);
  return hit;
};
/** `*-data` (base64) or a file path relative to nothing: inline data wins. */
const blob = (o: Obj, dataKey: string, fileKey: string, src: string): Buffer | undefined => {
  if (typeof o[dataKey] === 'string') return Buffer.from(o[dataKey] as string, 'base64');
  if (typeof o[fileKey] === 'string') {
    try {
      return readFileSync(o[fileKey] as string);
    } catch (e) {
      throw new HetpoolError('invalid-input', `${src}:${fileKey}`, `cannot read ${o[fileKey] as string} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return undefined;
};

/** Read a kubeconfig (YAML text) for `context` (default: current-context). */
export function parseKubeconfig(text: string, options: { context?: string; source?: string } = {}): KubeAccess {
  const src = options.source ?? 'kubeconfig';
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new HetpoolError('parse-error', `${src}:1`, `not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new HetpoolError('parse-error', `${src}:1`, 'not a kubeconfig (expected a mapping)');
  const ctxName = options.context ?? (typeof doc['current-context'] === 'string' ? (doc['current-context'] as string) : undefined);
  const ctx = named(doc.contexts, ctxName, 'contexts', src).context;
  if (!isObj(ctx)) throw new HetpoolError('invalid-input', `${src}:contexts`, 'context has no body');
  const cluster = named(doc.clusters, typeof ctx.cluster === 'string' ? ctx.cluster : undefined, 'clusters', src).cluster;
  const userEntry = Array.isArray(doc.users) && typeof ctx.user === 'string' ? named(doc.users, ctx.user, 'users', src).user : undefined;
  if (!isObj(cluster) || typeof cluster.server !== 'string') throw new HetpoolError('invalid-input', `${src}:clusters.server`, 'cluster has no server URL');
  const user = isObj(userEntry) ? userEntry : {};
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string') {
    try {
      token = readFileSync(user.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new HetpoolError('invalid-input', `${src}:users.tokenFile`, `cannot read ${user.tokenFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return {
    server: cluster.server.replace(/\/+$/, ''),
    token,
    ca: blob(cluster, 'certificate-authority-data', 'certificate-authority', src),
    cert: blob(user, 'client-certificate-data', 'client-certificate', src),
    key: blob(user, 'client-key-data', 'client-key', src),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}

/** `GET /api/v1/nodes` and parse the NodeList. */
export async function listKubernetesNodes(access: KubeAccess, options: { timeoutMs?: number; signal?: AbortSignal; labelSelector?: string } = {}): Promise<Inventory> {
  const q = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
  const url = `${access.server}/api/v1/nodes${q}`;
  const text = await httpGet(url, {
    headers: { accept: 'application/json', ...(access.token ? { authorization: `Bearer ${access.token}` } : {}) },
    ca: access.ca, cert: access.cert, key: access.key, insecureSkipTlsVerify: access.insecureSkipTlsVerify,
    timeoutMs: options.timeoutMs, signal: options.signal,
  });
  return parseK8sNodes(text, { source: url });
}

/** A Kubernetes API server as an adapter (watch = polling list). */
export function kubernetesAdapter(access: KubeAccess, options: { timeoutMs?: number; labelSelector?: string } = {}): Adapter {
  return {
    name: `kubernetes@${access.server}`,
    discover: (signal) => listKubernetesNodes(access, { ...options, signal }),
    watch: function (this: Adapter, w?: WatchOptions) { return pollingWatch(this, w); },
  };
}
