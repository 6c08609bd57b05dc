/**
 * Link state (§6h, §11.1k, §11.3a): `updateLink` changes a link's state, bandwidth, latency or
 * loss; the change flows into every derived view (fabric tiers, device matrices) through the
 * graph's version counters, and a degraded, down, lossy or restored link raises a LinkEvent that
 * names the link, where it is, the gang placements it affects (from `graph.placements`, judged
 * on the state *before* the change) and a suggested repair. `replaceAffected` re-places those
 * gangs avoiding the link.
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';
import { LinkStateSchema, LinkTypeSchema } from '../model/topology.js';
import { parseWith } from '../model/validate.js';
import { LOSS_WARN } from './constants.js';
import { fabricOf } from './fabric.js';
import { type GangCandidateInput, type GangPlacement, type GangRequestInput, placeGangOnTopology } from './gang.js';
import type { LinkInfo, TopologyGraph } from './graph.js';

export const LinkPatchSchema = z.strictObject({
  state: LinkStateSchema.optional(),
  bandwidthGbps: z.number().min(0).optional(),
  latencyUs: z.number().min(0).optional(),
  loss: z.number().min(0).max(1).optional(),
});
/** What may change on a link. */
export type LinkPatch = z.infer<typeof LinkPatchSchema>;

/** A gang the link change touches, and why. */
export interface AffectedGang {
  gang: string;
  reason: string;
}

/** Raised when a link goes degraded, down, lossy, or back up. */
export interface LinkEvent {
  kind: 'link-down' | 'link-degraded' | 'link-lossy' | 'link-restored';
  severity: 'critical' | 'warning' | 'info';
  link: LinkInfo;
  previous: { state: LinkInfo['state']; bandwidthGbps: number; loss: number };
  /** Where the link is: `inside node n1`, `uplink of node b2 to leaf-b`, `fabric leaf-a ↔ spine-1`. */
  location: string;
  affected: AffectedGang[];
  suggestion: string;
}

export type LinkListener = (e: LinkEvent) => void;
const listeners = new WeakMap<TopologyGraph, Set<LinkListener>>();

/** Subscribe to link events of `g`; returns the unsubscribe function. */
export function onLinkEvent(g: TopologyGraph, fn: LinkListener): () => void {
  let s = listeners.get(g);
  if (!s) {
    s = new Set();
    listeners.set(g, s);
  }
  s.add(fn);
  return () => s!.delete(fn);
}

/**
 * Patch the link(s) between vertices `a` and `b` (of `opts.type` when several join them) and
 * return the event it raises, if any (also delivered to listeners). Unknown link or bad patch:
 * HetpoolError and nothing changes.
 */
export function updateLink(g: TopologyGraph, a: string, b: string, patchInput: LinkPatch, opts: { type?: string } = {}): LinkEvent | undefined {
  const patch = parseWith(LinkPatchSchema, patchInput, 'patch');
  const type = opts.type === undefined ? undefined : parseWith(LinkTypeSchema, opts.type, 'type');
  g.requireSlot(a, 'a');
  g.requireSlot(b, 'b');
  const idx = g.linksBetween(a, b).filter((i) => type === undefined || g.linkType[i] === type);
  if (idx.length === 0) throw new HetpoolError('not-found', 'link', `no ${type ?? ''}${type ? ' ' : ''}link between "${a}" and "${b}"`);
  let event: LinkEvent | undefined;
  for (const i of idx) {
    const before = g.link(i);
    const affected = affectedBy(g, i);
    if (patch.state !== undefined) g.state[i] = stateCode(patch.state);
    if (patch.bandwidthGbps !== undefined) g.nominalMbps[i] = Math.round(patch.bandwidthGbps * 1000);
    if (patch.latencyUs !== undefined) g.nominalLatNs[i] = Math.round(patch.latencyUs * 1000);
    if (patch.loss !== undefined) g.loss[i] = patch.loss;
    g.refreshEffective(i);
    g.touchLink(i);
    const after = g.link(i);
    const e = eventFor(g, before, after, affected);
    if (e) {
      event ??= e;
      for (const fn of listeners.get(g) ?? []) fn(e);
    }
  }
  return event;
}

const stateCode = (s: LinkInfo['state']): number => (s === 'up' ? 0 : s === 'degraded' ? 1 : 2);

function eventFor(g: TopologyGraph, before: LinkInfo, after: LinkInfo, affected: AffectedGang[]): LinkEvent | undefined {
  let kind: LinkEvent['kind'];
  if (after.state === 'down' && before.state !== 'down') kind = 'link-down';
  else if (after.state === 'degraded' && before.state !== 'degraded') kind = 'link-degraded';
  else if (after.state !== 'down' && after.loss > LOSS_WARN && before.loss <= LOSS_WARN) kind = 'link-lossy';
  else if (after.state === 'up' && before.state !== 'up') kind = 'link-restored';
  else return undefined;
  const severity = kind === 'link-down' ? 'critical' : kind === 'link-restored' ? 'info' : 'warning';
  return {
    kind,
    severity,
    link: after,
    previous: { state: before.state, bandwidthGbps: before.bandwidthGbps, loss: before.loss },
    location: locate(g, after.index),
    affected: kind === 'link-restored' ? [] : affected,
    suggestion: kind === 'link-restored' ? 'none: the link is back up' : suggestRepair(g, after.index, kind),
  };
}

/** Where link `i` sits, in words. */
export function locate(g: TopologyGraph, i: number): string {
  const a = g.linkA[i];
  const b = g.linkB[i];
  const oa = g.owner[a];
  const ob = g.owner[b];
  if (oa >= 0 && oa === ob) return `inside node ${g.idOf(oa)}`;
  if (oa >= 0 && ob < 0) return `uplink of node ${g.idOf(oa)} to ${g.idOf(b)}`;
  if (ob >= 0 && oa < 0) return `uplink of node ${g.idOf(ob)} to ${g.idOf(a)}`;
  if (oa >= 0 && ob >= 0) return `direct cable between nodes ${g.idOf(oa)} and ${g.idOf(ob)}`;
  return `fabric ${g.idOf(a)} ↔ ${g.idOf(b)}`;
}

/** A repair to try for link `i`, by link type (and the other rail to fail over to, when there is one). */
export function suggestRepair(g: TopologyGraph, i: number, kind: LinkEvent['kind']): string {
  const a = g.idOf(g.linkA[i]);
  const b = g.idOf(g.linkB[i]);
  const lossy = kind === 'link-lossy' ? `packet loss ${(g.loss[i] * 100).toFixed(2)}%: ` : '';
  switch (g.linkType[i]) {
    case 'nvlink':
      return `${lossy}reseat the NVLink bridge between ${a} and ${b}; check \`nvidia-smi nvlink --status\` and the error counters (\`nvidia-smi nvlink -e\`)`;
    case 'nvswitch':
      return `${lossy}check the NVSwitch tray and the fabric manager between ${a} and ${b} (\`nvidia-smi -q | grep -i fabric\`)`;
    case 'hccs':
      return `${lossy}check the HCCS link between ${a} and ${b} (\`npu-smi info -t hccs\`); reseat the NPU module`;
    case 'xgmi':
      return `${lossy}check the xGMI bridge between ${a} and ${b} (\`rocm-smi --showtopo\`)`;
    case 'pcie':
    case 'pcie-switch':
    case 'pcie-host-bridge':
      return `${lossy}reseat the card and check the negotiated PCIe width/speed between ${a} and ${b} (\`lspci -vv\`, LnkSta vs LnkCap)`;
    case 'smp':
    case 'numa':
      return `${lossy}check the socket interconnect between ${a} and ${b} (BIOS UPI/xGMI settings, \`numactl -H\`); report to the hardware vendor`;
    case 'wan':
      return `${lossy}contact the carrier for the WAN link ${a} ↔ ${b}, or fail over to the backup WAN path`;
    default: {
      const sw = g.owner[g.linkA[i]] < 0 ? a : b;
      const host = sw === a ? b : a;
      const rail = otherRail(g, i);
      const fail = rail ? `; meanwhile fail over to the second rail (${rail})` : '';
      return `${lossy}check cable/transceiver on ${sw} (port to ${host}) and the NIC (\`ibstat\`/\`ethtool -S\`)${fail}`;
    }
  }
}

/** Another usable uplink of the same node (a second rail), as `nic → switch`. */
function otherRail(g: TopologyGraph, i: number): string | undefined {
  const a = g.linkA[i];
  const b = g.linkB[i];
  const node = g.owner[a] >= 0 ? g.owner[a] : g.owner[b];
  if (node < 0) return undefined;
  for (const v of [node, ...g.ownedBy(node)]) {
    for (let e = g.adjStart[v]; e < g.adjStart[v + 1]; e++) {
      const l = g.adjLink[e];
      if (l === i || g.owner[g.adjTo[e]] >= 0 || !g.usable(l)) continue;
      return `${g.idOf(v)} → ${g.idOf(g.adjTo[e])}`;
    }
  }
  return undefined;
}

/** Gangs in `g.placements` whose traffic can cross link `i` (judged on the current state). */
export function affectedBy(g: TopologyGraph, i: number): AffectedGang[] {
  const out: AffectedGang[] = [];
  if (g.placements.size === 0) return out;
  const a = g.linkA[i];
  const b = g.linkB[i];
  const oa = g.owner[a];
  const ob = g.owner[b];
  const name = `${g.idOf(a)} ↔ ${g.idOf(b)}`;
  if (oa >= 0 && oa === ob) {
    const node = g.idOf(oa);
    for (const [gang, p] of g.placements) {
      if (!p.nodes.includes(node)) continue;
      if (!p.devices) {
        out.push({ gang, reason: `runs on node ${node}, which contains ${name}` });
        continue;
      }
      const mine = p.devices.filter((d) => d.startsWith(`${node}/`));
      const touching = mine.find((d) => d === g.idOf(a) || d === g.idOf(b));
      if (touching) {
        out.push({ gang, reason: `uses device ${touching}, an endpoint of ${name}` });
        continue;
      }
      const slots = mine.map((d) => g.slotOf(d)).filter((s): s is number => s !== undefined);
      let hit: string | undefined;
      for (let x = 0; x < slots.length && !hit; x++) for (let y = x + 1; y < slots.length && !hit; y++) {
        const path = g.pathSlots(slots[x], slots[y], oa);
        if (path && path.links.includes(i)) hit = `${g.idOf(slots[x])} ↔ ${g.idOf(slots[y])}`;
      }
      if (hit) out.push({ gang, reason: `traffic ${hit} crosses ${name}` });
    }
    return out;
  }
  const f = fabricOf(g);
  for (const [gang, p] of g.placements) {
    const idx = [...new Set(p.nodes)].map((n) => f.indexOf.get(n)).filter((x): x is number => x !== undefined);
    if (idx.length < 2) continue;
    let tier = 1;
    for (const x of idx) for (const y of idx) {
      if (x === y) continue;
      const t = f.leaf[x] === f.leaf[y] ? 1 : f.spine[x] === f.spine[y] ? 2 : f.site[x] === f.site[y] ? 3 : 4;
      if (t > tier) tier = t;
    }
    let hit: string | undefined;
    for (const x of idx) {
      for (let lvl = 0; lvl < tier && !hit; lvl++) if (f.uplinks[lvl][x].includes(i)) hit = f.nodeIds[x];
      if (hit) break;
    }
    if (hit) out.push({ gang, reason: `spans tier ${tier}; ${name} carries node ${hit}'s traffic` });
  }
  return out;
}

/** Request and candidates needed to re-place one gang. */
export interface Replan {
  request: GangRequestInput;
  candidates: readonly GangCandidateInput[];
}

/**
 * New placements for the gangs an event affects, avoiding its link (even when only degraded).
 * `plans` gives, per gang id, its request and the candidates (including what the gang holds now).
 * Gangs without a plan are returned under `missing`, never dropped.
 */
export function replaceAffected(g: TopologyGraph, event: LinkEvent, plans: ReadonlyMap<string, Replan>): { placements: Map<string, GangPlacement>; missing: string[] } {
  const placements = new Map<string, GangPlacement>();
  const missing: string[] = [];
  for (const { gang } of event.affected) {
    const plan = plans.get(gang);
    if (!plan) {
      missing.push(gang);
      continue;
    }
    const avoid = [...new Set([...(plan.request.avoidLinks ?? []), event.link.index])];
    placements.set(gang, placeGangOnTopology(g, { ...plan.request, avoidLinks: avoid }, plan.candidates));
  }
  return { placements, missing };
}
