import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTopology } from '../src/topology/graph.js';
import { type LinkEvent, onLinkEvent, replaceAffected, updateLink } from '../src/topology/links.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/topology/${name}`, import.meta.url), 'utf8'));

describe('link state events', () => {
  it('a down NIC uplink names the link, the gangs it carries and a cable repair', () => {
    const g = createTopology(fixture('two-rack.json'));
    g.placements.set('train-a', { nodes: ['b1', 'b2', 'b3'] }); // spans leaf-b: uses b2's uplink
    g.placements.set('train-b', { nodes: ['a1', 'a2'] }); // rack A only
    g.placements.set('solo', { nodes: ['b2'] }); // one node: needs no network
    const seen: LinkEvent[] = [];
    const off = onLinkEvent(g, (e) => seen.push(e));
    const e = updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'down' })!;
    off();
    expect(seen).toEqual([e]);
    expect([e.kind, e.severity, e.link.a, e.link.b, e.link.state, e.previous.state]).toEqual(['link-down', 'critical', 'b2/mlx5_0', 'leaf-b', 'down', 'up']);
    expect(e.location).toBe('uplink of node b2 to leaf-b');
    expect(e.affected.map((a) => a.gang)).toEqual(['train-a']);
    expect(e.suggestion).toContain('check cable/transceiver on leaf-b');
    // The change flowed into the model: the link is unusable and b2 is unreachable.
    expect(g.path('b1', 'b2')).toBeUndefined();
    // Restoring raises an info event and affects nobody.
    const r = updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'up' })!;
    expect([r.kind, r.severity, r.affected]).toEqual(['link-restored', 'info', []]);
  });
  it('a degraded leaf uplink affects only gangs spanning the spine', () => {
    const g = createTopology(fixture('two-rack.json'));
    g.placements.set('wide', { nodes: ['a1', 'b1'] });
    g.placements.set('narrow', { nodes: ['a1', 'a2'] });
    const e = updateLink(g, 'leaf-a', 'spine-1', { state: 'degraded' })!;
    expect([e.kind, e.severity, e.location]).toEqual(['link-degraded', 'warning', 'fabric leaf-a ↔ spine-1']);
    expect(e.affected.map((a) => a.gang)).toEqual(['wide']);
    // 1600 × ½ = 800 Gbps effective.
    expect(e.link.effectiveGbps).toBe(800);
  });
  it('an NVLink fault names the gangs whose devices talk across it and suggests reseating the bridge', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    g.placements.set('uses-0-1', { nodes: ['n1'], devices: ['n1/gpu0', 'n1/gpu1'] });
    g.placements.set('uses-4-5', { nodes: ['n1'], devices: ['n1/gpu4', 'n1/gpu5'] });
    g.placements.set('node-only', { nodes: ['n1'] });
    const e = updateLink(g, 'n1/gpu0', 'n1/gpu1', { state: 'down' })!;
    expect(e.location).toBe('inside node n1');
    expect(e.affected.map((a) => a.gang).sort()).toEqual(['node-only', 'uses-0-1']);
    expect(e.suggestion).toMatch(/reseat the NVLink bridge between n1\/gpu0 and n1\/gpu1/);
  });
  it('traces intra-node traffic that crosses a link without touching its endpoints', () => {
    const g = createTopology(fixture('dgx-8gpu.json'));
    // gpu0 ↔ gpu5 crosses sockets: gpu0 → pcie0 → numa0 → numa1 → pcie2 → gpu5; gpu4 ↔ gpu5 stays on NVLink.
    g.placements.set('cross', { nodes: ['n1'], devices: ['n1/gpu0', 'n1/gpu5'] });
    g.placements.set('island', { nodes: ['n1'], devices: ['n1/gpu4', 'n1/gpu5'] });
    const e = updateLink(g, 'n1/numa0', 'n1/pcie0', { state: 'degraded' })!;
    expect(e.affected).toEqual([{ gang: 'cross', reason: 'traffic n1/gpu0 ↔ n1/gpu5 crosses n1/numa0 ↔ n1/pcie0' }]);
    expect(e.suggestion).toContain('lspci -vv');
  });
  it('warns about loss and suggests failing over to the second rail when there is one', () => {
    const g = createTopology({
      vertices: [{ id: 'n', kind: 'node' }, { id: 'n/mlx5_0', kind: 'nic' }, { id: 'n/mlx5_1', kind: 'nic' }, { id: 'leaf-3', kind: 'switch', tier: 0 }, { id: 'leaf-4', kind: 'switch', tier: 0 }],
      links: [
        { a: 'n', b: 'n/mlx5_0', type: 'nic' }, { a: 'n', b: 'n/mlx5_1', type: 'nic' },
        { a: 'n/mlx5_0', b: 'leaf-3', type: 'roce' }, { a: 'n/mlx5_1', b: 'leaf-4', type: 'roce' },
      ],
    });
    const e = updateLink(g, 'n/mlx5_0', 'leaf-3', { loss: 0.02 })!;
    expect(e.kind).toBe('link-lossy');
    expect(e.suggestion).toContain('packet loss 2.00%');
    expect(e.suggestion).toContain('fail over to the second rail (n/mlx5_1 → leaf-4)');
    // 400 × (1 − 0.02) = 392 Gbps.
    expect(e.link.effectiveGbps).toBe(392);
    // A change that is not worse raises nothing.
    expect(updateLink(g, 'n/mlx5_0', 'leaf-3', { latencyUs: 3 })).toBeUndefined();
  });
  it('rejects unknown links and bad patches, changing nothing', () => {
    const g = createTopology(fixture('two-rack.json'));
    const v = g.version;
    expect(() => updateLink(g, 'a1', 'b1', { state: 'down' })).toThrow(/no link between "a1" and "b1"/);
    expect(() => updateLink(g, 'a1/mlx5_0', 'leaf-a', { loss: 2 })).toThrow(/patch\.loss/);
    expect(() => updateLink(g, 'a1/mlx5_0', 'nowhere', { state: 'down' })).toThrow(/^b: /);
    expect(g.version).toBe(v);
  });
  it('re-places affected gangs avoiding the faulty link, and returns those it cannot', () => {
    const g = createTopology(fixture('two-rack.json'));
    g.placements.set('job', { nodes: ['b1', 'b2'] });
    g.placements.set('unplanned', { nodes: ['b2', 'b3'] });
    const e = updateLink(g, 'b2/mlx5_0', 'leaf-b', { state: 'degraded' })!;
    expect(e.affected.map((a) => a.gang)).toEqual(['job', 'unplanned']);
    const cands = ['b1', 'b2', 'b3'].map((node) => ({ node, freeDevices: 8 }));
    const { placements, missing } = replaceAffected(g, e, new Map([['job', { request: { members: { count: 2, devices: 8 } }, candidates: cands }]]));
    // With b2's uplink avoided, b2 is isolated: the gang goes to b1 + b3 (same leaf, tier 1).
    const p = placements.get('job')!;
    expect(p.status === 'placed' && p.nodes.sort()).toEqual(['b1', 'b3']);
    expect(missing).toEqual(['unplanned']);
  });
});
