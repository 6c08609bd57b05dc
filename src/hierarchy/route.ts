/**
 * Routing a task to a domain by summaries (§9.2g). A summary can only say that a domain might
 * fit a task (free capacity is spread over nodes); it can say for sure that it cannot, which is
 * what the filter uses. Among the domains that might fit, the one with the most free of what the
 * task needs most goes first, so that domains fill evenly and a decision rarely falls back.
 *
 * Within one batch, routing debits a working copy of the summaries (`RouteView`) so a burst of
 * tasks is spread instead of all going to the domain that looked emptiest before the batch.
 */
import type { Task } from '../model/types.js';
import type { DeviceGroupSummary, DomainSummary } from './ledger.js';

/** A mutable working copy of a domain summary for one routing round. */
export interface RouteView {
  domain: string;
  cpuMilliFree: number;
  memoryMiBFree: number;
  largestCpuMilliFree: number;
  largestMemoryMiBFree: number;
  devices: DeviceGroupSummary[];
  archs: ReadonlySet<string>;
  forms: ReadonlySet<string>;
  sites: ReadonlySet<string>;
}

/** A working copy of `s` (device groups copied, so debits do not touch the summary). */
export function viewOf(s: DomainSummary): RouteView {
  return {
    domain: s.domain,
    cpuMilliFree: s.cpuMilliFree,
    memoryMiBFree: s.memoryMiBFree,
    largestCpuMilliFree: s.largestCpuMilliFree,
    largestMemoryMiBFree: s.largestMemoryMiBFree,
    devices: s.devices.map((g) => ({ ...g })),
    archs: new Set(s.archs),
    forms: new Set(s.forms),
    sites: new Set(s.sites),
  };
}

function groupMatches(g: DeviceGroupSummary, t: Task): boolean {
  const a = t.accel;
  if (!a || g.kind !== a.kind) return false;
  if (a.vendors && !a.vendors.includes(g.vendor)) return false;
  if (a.models && !a.models.includes(g.model)) return false;
  return true;
}

const whole = (t: Task): boolean => !!t.accel && !t.accel.profile && (t.accel.milli === 1000 || t.accel.exclusive);

/**
 * How much of what `t` needs most the domain has free, or -1 when the summary shows it cannot
 * fit `t`: too little CPU or memory on every node, no node of an allowed arch/form/site, too few
 * untouched devices of an allowed model (in the domain or on any one node), or no device with a
 * large enough free share.
 */
export function fitScore(v: RouteView, t: Task): number {
  if (t.cpuMilli > v.largestCpuMilliFree || t.memoryMiB > v.largestMemoryMiBFree) return -1;
  if (t.arch && !t.arch.some((x) => v.archs.has(x))) return -1;
  if (t.form && !t.form.some((x) => v.forms.has(x))) return -1;
  if (t.site && !t.site.some((x) => v.sites.has(x))) return -1;
  const a = t.accel;
  if (!a) return v.cpuMilliFree;
  let free = 0;
  let wholeFree = 0;
  let largest = 0;
  // Σ over matching groups of the most untouched devices on one node bounds what one node has
  // (exact when one group matches): a k-device request needs k on one node
  let onOneNode = 0;
  for (const g of v.devices) {
    if (!groupMatches(g, t)) continue;
    free += g.milliFree;
    wholeFree += g.wholeFree;
    onOneNode += g.largestWholeFreeOnNode;
    if (g.largestFreeMilli > largest) largest = g.largestFreeMilli;
  }
  if (whole(t)) return wholeFree >= a.count && onOneNode >= a.count ? free : -1;
  // a partition instance takes at most a whole device's share; a fraction needs `milli` on one device
  const need = a.profile ? 1 : a.milli;
  return largest >= need ? free : -1;
}

/**
 * Debit the working copy by what `t` will take if placed there: CPU, memory, whole devices from
 * the group with the most whole free, share from the group with the largest free share.
 */
export function debit(v: RouteView, t: Task): void {
  v.cpuMilliFree -= t.cpuMilli;
  v.memoryMiBFree -= t.memoryMiB;
  const a = t.accel;
  if (!a) return;
  let best: DeviceGroupSummary | undefined;
  for (const g of v.devices) {
    if (!groupMatches(g, t)) continue;
    if (!best || (whole(t) ? g.wholeFree > best.wholeFree : g.largestFreeMilli > best.largestFreeMilli)) best = g;
  }
  if (!best) return;
  if (whole(t)) {
    best.wholeFree -= a.count;
    best.milliFree -= a.count * 1000;
  } else {
    best.milliFree -= a.milli;
  }
}

/**
 * The best domain for `t` among `views` not in `tried`, or undefined when the summaries show no
 * untried domain can fit it. Ties go to the first domain in `views` order (stable, deterministic).
 */
export function route(views: readonly RouteView[], t: Task, tried: ReadonlySet<string>): RouteView | undefined {
  let best: RouteView | undefined;
  let bestScore = -1;
  for (const v of views) {
    if (tried.has(v.domain)) continue;
    const s = fitScore(v, t);
    if (s > bestScore) {
      best = v;
      bestScore = s;
    }
  }
  return best;
}
