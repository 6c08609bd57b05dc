/**
 * A coarse topology from the placement fields of model nodes (`rack`, `zone`, `site`), for
 * clusters whose adapters report no links: rack → leaf switch `rack:<site>/<rack>` (tier 0), zone →
 * switch `zone:<site>/<zone>` (tier 1), site → `site:<site>`. Gang placement then keeps members in
 * one rack, zone or site. Links carry `uplinkGbps` (default 100, Ethernet); nothing is known
 * inside nodes, so device sets need an adapter's topology.
 */
import type { NodeInput } from '../model/types.js';
import type { TopologyLinkInput, TopologyVertex } from '../model/topology.js';

/** Build `{ vertices, links }` (validate with createTopology). */
export function topologyFromNodes(nodes: readonly NodeInput[], opts: { uplinkGbps?: number } = {}): { vertices: TopologyVertex[]; links: TopologyLinkInput[] } {
  const bw = opts.uplinkGbps ?? 100;
  const vertices: TopologyVertex[] = [];
  const links: TopologyLinkInput[] = [];
  const seen = new Set<string>();
  const vertex = (id: string, kind: TopologyVertex['kind'], tier?: number): string => {
    if (!seen.has(id)) {
      seen.add(id);
      vertices.push(tier === undefined ? { id, kind } : { id, kind, tier });
    }
    return id;
  };
  const wired = new Set<string>();
  const link = (a: string, b: string): void => {
    const key = `${a}\u0000${b}`;
    if (wired.has(key)) return;
    wired.add(key);
    links.push({ a, b, type: 'ethernet', bandwidthGbps: bw });
  };
  for (const n of nodes) {
    const node = vertex(n.id, 'node');
    const s = n.site ?? '';
    const site = n.site !== undefined ? vertex(`site:${n.site}`, 'site') : undefined;
    const zone = n.zone !== undefined ? vertex(`zone:${s}/${n.zone}`, 'switch', 1) : undefined;
    const rack = n.rack !== undefined ? vertex(`rack:${s}/${n.zone ?? ''}/${n.rack}`, 'switch', 0) : undefined;
    const chain = [node, rack, zone, site].filter((x): x is string => x !== undefined);
    for (let i = 0; i + 1 < chain.length; i++) link(chain[i], chain[i + 1]);
  }
  return { vertices, links };
}
