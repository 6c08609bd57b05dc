/**
 * Readable unschedulable reasons: the kernel counts, per node, the first check it failed
 * (RS_* / DS_* codes); this module names them in the task's own terms and builds the message
 * "0/1000 nodes fit: insufficient CPU on 12 nodes, no device with 500 milli free on 800 nodes".
 */
import { PlacementLayout as L } from '../core/placement.js';
import type { Task } from '../model/types.js';

/** The text of reason code `rs` (an RS_* index) for `task`. */
export function reasonText(rs: number, task: Task): string {
  const a = task.accel;
  switch (rs) {
    case L.RS_NODE_UNHEALTHY: return 'node not healthy';
    case L.RS_NODE_DRAINED: return 'node drained';
    case L.RS_NODE_CONSTRAINT: return 'node constraints not met';
    case L.RS_CPU: return 'insufficient CPU';
    case L.RS_MEMORY: return 'insufficient memory';
    case L.RS_DEVICE_COUNT: return `fewer than ${a?.count ?? 1} free ${a?.kind ?? 'device'}s`;
  }
  const kind = a?.kind ?? 'device';
  switch (rs - L.RS_DEVICE) {
    case L.DS_KIND: return `no ${kind} device`;
    case L.DS_VENDOR: return `no ${kind} of vendor ${(a?.vendors ?? []).join('|')}`;
    case L.DS_MODEL: return `no ${kind} of model ${(a?.models ?? []).join('|')}`;
    case L.DS_PRECISION: return `no ${kind} with ${a?.precision} throughput`;
    case L.DS_UNHEALTHY: return `${kind} not healthy`;
    case L.DS_MODE: return a?.profile ? `no ${kind} offering partition profile ${a.profile}` : `no time-sliced ${kind} (a fractional share needs one)`;
    case L.DS_HELD: return a?.profile || !(a?.milli === 1000 || a?.exclusive) ? `${kind} held exclusively` : `no fully free ${kind}`;
    case L.DS_SLICES: return a?.profile ? `no free ${a.profile} instance` : `${kind} slice limit reached`;
    case L.DS_MILLI: return `no ${kind} with ${a?.milli ?? 1000} milli free`;
    case L.DS_MEMORY: return `insufficient ${kind} memory`;
  }
  return `reason ${rs}`;
}

/** "insufficient CPU on 12 nodes" lines, most frequent first, then the summary message. */
export function reasonMessage(total: number, reasons: { reason: string; nodes: number }[]): string {
  if (total === 0) return '0/0 nodes fit: the pool has no nodes';
  const parts = reasons.map((r) => `${r.reason} on ${r.nodes} node${r.nodes === 1 ? '' : 's'}`);
  return `0/${total} nodes fit: ${parts.join(', ')}`;
}

/** Sort reasons by node count (descending), then by text, for stable messages. */
export function sortReasons(reasons: { reason: string; nodes: number }[]): { reason: string; nodes: number }[] {
  return reasons.sort((x, y) => y.nodes - x.nodes || (x.reason < y.reason ? -1 : x.reason > y.reason ? 1 : 0));
}
