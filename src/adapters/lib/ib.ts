/**
 * InfiniBand/RoCE ports as topology, shared by the ibstat, ibstatus and ibv_devinfo parsers.
 * Each HCA is a NIC vertex `<nodeId>/<ca>` (the name hwloc's OpenFabrics device has too); each
 * port is a link between the node and that NIC — the tools know the local port only, not the
 * switch at the far end (that needs ibnetdiscover). Link type: `infiniband` for link layer
 * InfiniBand, `roce` for Ethernet. State (IBTA logical state × physical state):
 * Active + LinkUp → up; Down, or physical Polling/Disabled/Sleep → down; Init or Armed → degraded;
 * Active with any other physical state (LinkErrorRecovery…) → degraded.
 */
import type { LinkState } from '../../model/topology.js';
import type { ParseContext } from './context.js';

/** Group of the InfiniBand port parsers: discovery runs the first that works, merge keeps one. */
export const IB_GROUP = 'infiniband';

/** One HCA port as read from ibstat / ibstatus / ibv_devinfo. */
export interface IbPort {
  ca: string;
  port: number;
  /** Logical state word as printed: "Active", "ACTIVE", "PORT_ACTIVE (4)", "4: ACTIVE". */
  state?: string;
  physState?: string;
  rateGbps?: number;
  linkLayer?: string;
  line: number;
  labels: Record<string, string>;
}

/** Logical + physical port state → link state; undefined when the logical state is unreadable. */
export function ibLinkState(state: string | undefined, phys: string | undefined): LinkState | undefined {
  const s = (state ?? '').toUpperCase().replace(/^PORT_/, '').replace(/[^A-Z]/g, '');
  const p = (phys ?? '').toUpperCase().replace(/^PORT_/, '').replace(/[^A-Z]/g, '');
  if (/^(POLLING|DISABLED|SLEEP)$/.test(p)) return 'down';
  if (s.startsWith('DOWN')) return 'down';
  if (s.startsWith('INIT') || s.startsWith('ARMED')) return 'degraded';
  if (s.startsWith('ACTIVE')) return p === '' || p === 'LINKUP' ? 'up' : 'degraded';
  return undefined;
}

/** Numeric code for the `link.state` metric: up 1, degraded 0.5, down 0. */
export const LINK_STATE_VALUE: Record<LinkState, number> = { up: 1, degraded: 0.5, down: 0 };

/** Add the node vertex, NIC vertices, one link per port and a link.state metric per port. */
export function addIbPorts(ctx: ParseContext, ports: readonly IbPort[]): void {
  if (ports.length === 0) return;
  const node = ctx.nodeId;
  if (!ctx.vertices.some((v) => v.id === node)) ctx.vertices.push({ id: node, kind: 'node' });
  for (const p of ports) {
    const nic = ctx.target(p.ca);
    let v = ctx.vertices.find((x) => x.id === nic);
    if (!v) {
      v = { id: nic, kind: 'nic', labels: { ...p.labels } };
      ctx.vertices.push(v);
    }
    const layer = (p.linkLayer ?? '').toLowerCase();
    const type = layer === 'ethernet' ? 'roce' : layer === 'infiniband' ? 'infiniband' : undefined;
    if (!type) {
      ctx.warn(p.line, `${p.ca} port ${p.port}: link layer "${p.linkLayer ?? ''}" unknown; port skipped`);
      continue;
    }
    let state = ibLinkState(p.state, p.physState);
    if (!state) {
      ctx.warn(p.line, `${p.ca} port ${p.port}: state "${p.state ?? ''}" not understood; taken as degraded`);
      state = 'degraded';
    }
    ctx.links.push({ a: node, b: nic, type, state, ...(p.rateGbps !== undefined ? { bandwidthGbps: p.rateGbps } : {}) });
    const target = p.port === 1 ? nic : `${nic}:${p.port}`;
    ctx.metric(p.line, target, 'link.state', LINK_STATE_VALUE[state]);
    if (p.rateGbps !== undefined) ctx.metric(p.line, target, 'link.bandwidth.gbps', p.rateGbps);
  }
}
