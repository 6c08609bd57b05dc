/**
 * Remote sources against local servers on 127.0.0.1: a DCGM-exporter serving the fixture, a fake
 * Kubernetes API server serving a NodeList built from the fixture labels. Every server is closed
 * in `finally`; every request has a timeout, so nothing hangs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { pollingWatch } from '../src/adapters/adapter.js';
import { dcgmAdapter, scrapeDcgm } from '../src/adapters/remote/dcgm.js';
import { httpGet } from '../src/adapters/remote/http.js';
import { listKubernetesNodes, parseKubeconfig } from '../src/adapters/remote/kubernetes.js';
import { repoRoot } from './helpers/cli.js';

const dcgmText = readFileSync(join(repoRoot, 'fixtures/agents/dcgm-exporter/a100-mig-1g5gb-nvdocs.txt'), 'utf8');
const gfdLabels = JSON.parse(readFileSync(join(repoRoot, 'fixtures/agents/k8s-node/h100-mig-node-labels-gfd.txt'), 'utf8')) as Record<string, string>;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, body: (base: string) => Promise<void>): Promise<void> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function rejection(p: Promise<unknown>): Promise<HetpoolError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HetpoolError);
    return e as HetpoolError;
  }
  throw new Error('expected a rejection');
}

describe('DCGM-exporter scrape', () => {
  it('scrapes /metrics into the same inventory as the file', async () => {
    await serve((req, res) => {
      if (req.url !== '/metrics') { res.writeHead(404).end('no'); return; }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(dcgmText);
    }, async (base) => {
      const inv = await scrapeDcgm(`${base}/metrics`, { timeoutMs: 5000 });
      expect(inv.nodes[0].id).toBe('ub20-a100-k8s'); // Hostname label
      expect(inv.metrics!.find((m) => m.metric === 'device.power.watts')!.value).toBe(409.692); // POWER_USAGE 409.692000
      const e = await rejection(scrapeDcgm(`${base}/nope`, { timeoutMs: 5000 }));
      expect([e.code, e.path]).toEqual(['not-found', `${base}/nope`]);
    });
  });

  it('a polling watch over the endpoint stops by itself after maxPolls', async () => {
    let hits = 0;
    await serve((_req, res) => { hits++; res.writeHead(200).end(dcgmText); }, async (base) => {
      const events = [];
      for await (const e of pollingWatch(dcgmAdapter(`${base}/metrics`, { timeoutMs: 5000 }), { intervalMs: 5, maxPolls: 3 })) events.push(e);
      expect(hits).toBe(3);
      // first poll adds the node and its GPU; the two later polls see no change
      expect(events.map((e) => e.type)).toEqual(['add', 'add']);
    });
  });

  it('bounded: a silent server times out, an oversized body is refused', async () => {
    await serve(() => { /* never answers */ }, async (base) => {
      const e = await rejection(httpGet(base, { timeoutMs: 200 }));
      expect(e.message).toMatch(/no complete answer within 200 ms/);
    });
    await serve((_req, res) => res.writeHead(200).end('x'.repeat(4096)), async (base) => {
      const e = await rejection(httpGet(base, { timeoutMs: 5000, maxBytes: 1000 }));
      expect(e.message).toMatch(/larger than 1000 bytes/);
    });
    const refused = await rejection(httpGet('http://127.0.0.1:1/', { timeoutMs: 2000 }));
    expect(refused.message).toMatch(/cannot fetch/);
  });
});

describe('Kubernetes API server (read-only)', () => {
  const nodeList = {
    kind: 'NodeList', apiVersion: 'v1',
    items: [{
      metadata: { name: 's4124-0073', labels: gfdLabels },
      // cpu "255" → 255000 milli; memory "1056426956Ki" → ⌊1056426956 / 1024⌋ = 1031666 MiB
      status: { allocatable: { cpu: '255', memory: '1056426956Ki', 'nvidia.com/gpu': '1' }, conditions: [{ type: 'Ready', status: 'True' }] },
    }],
  };
  const kubeconfig = (server: string, token?: string): string => [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters:', '- name: c', '  cluster:', `    server: ${server}`,
    'contexts:', '- name: test', '  context:', '    cluster: c', '    user: u',
    'users:', '- name: u', '  user:', ...(token ? [`    token: ${token}`] : ['    {}']),
  ].join('\n');

  it('GETs /api/v1/nodes with the kubeconfig token and parses the NodeList', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string }> = [];
    await serve((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      if (req.headers.authorization !== 'Bearer s3cret') { res.writeHead(401).end('{"kind":"Status","code":401}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(nodeList));
    }, async (base) => {
      const inv = await listKubernetesNodes(parseKubeconfig(kubeconfig(base, 's3cret')), { timeoutMs: 5000 });
      expect(seen).toEqual([{ method: 'GET', url: '/api/v1/nodes', auth: 'Bearer s3cret' }]);
      const n = inv.nodes[0];
      expect([n.id, n.cpuMilli, n.memoryMiB, n.health]).toEqual(['s4124-0073', 255000, 1031666, 'healthy']);
      expect(n.devices![0]).toMatchObject({ model: 'H100-80GB-HBM3', memoryMiB: 81559 });
      const e = await rejection(listKubernetesNodes(parseKubeconfig(kubeconfig(base)), { timeoutMs: 5000 }));
      expect(e.code).toBe('permission-denied');
    });
  });

  it('kubeconfig errors name the field', () => {
    expect(() => parseKubeconfig('current-context: x\ncontexts: []\n', { source: 'kc' })).toThrow(/kc:contexts: no contexts named "x"/);
    expect(() => parseKubeconfig('[1, 2', { source: 'kc' })).toThrow(HetpoolError);
    const k = parseKubeconfig('current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: "https://k:6443/", insecure-skip-tls-verify: true, certificate-authority-data: "Q0E="}\n');
    expect([k.server, k.insecureSkipTlsVerify, k.ca?.toString()]).toEqual(['https://k:6443', true, 'CA']);
  });
});
