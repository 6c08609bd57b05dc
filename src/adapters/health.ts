/**
 * Hardware health rules (§10.1l, §11.1i) as data: each rule names a normalised metric, a test and
 * the reason a device fails it. `evaluateHealth` turns metric samples into unhealthy marks that
 * merge.ts applies to devices, so the scheduler avoids them. XID meanings: NVIDIA "XID Errors"
 * catalogue (docs.nvidia.com/deploy/xid-errors).
 */
import { Metric } from './metrics.js';
import type { Inventory, MetricSample } from './types.js';

/** One health rule: fires when a sample of `metric` satisfies `op value`/`values`. */
export interface HealthRule {
  id: string;
  metric: string;
  op: '>' | '>=' | '==' | 'in';
  value?: number;
  values?: number[];
  reason: string;
}

/** The rules applied to every inventory, in order. */
export const HEALTH_RULES: readonly HealthRule[] = [
  { id: 'ecc-uncorrectable', metric: Metric.eccUncorrectable, op: '>', value: 0, reason: 'uncorrectable ECC errors since boot' },
  { id: 'xid-48-dbe', metric: Metric.xid, op: '==', value: 48, reason: 'XID 48: double-bit ECC error' },
  { id: 'xid-79-off-bus', metric: Metric.xid, op: '==', value: 79, reason: 'XID 79: GPU has fallen off the bus' },
  { id: 'xid-94-contained-ecc', metric: Metric.xid, op: '==', value: 94, reason: 'XID 94: contained ECC error (reset needed)' },
  { id: 'xid-95-uncontained-ecc', metric: Metric.xid, op: '==', value: 95, reason: 'XID 95: uncontained ECC error' },
  { id: 'xid-64-row-remap-failure', metric: Metric.xid, op: '==', value: 64, reason: 'XID 64: ECC page retirement or row remapping failure' },
  { id: 'retired-pages-pending', metric: Metric.retiredPagesPending, op: '>', value: 0, reason: 'retired pages pending (reset needed)' },
  { id: 'remapped-rows-pending', metric: Metric.remappedRowsPending, op: '>', value: 0, reason: 'row remapping pending (reset needed)' },
  { id: 'remapped-rows-failure', metric: Metric.remappedRowsFailure, op: '>', value: 0, reason: 'row remapping failed' },
  { id: 'link-down', metric: Metric.linkState, op: '==', value: 0, reason: 'link down' },
  { id: 'vendor-unhealthy', metric: Metric.vendorUnhealthy, op: '>', value: 0, reason: 'vendor agent reports the device unhealthy' },
];

/** Does `rule` fire for value `v`? */
export function ruleFires(rule: HealthRule, v: number): boolean {
  switch (rule.op) {
    case '>': return v > (rule.value ?? 0);
    case '>=': return v >= (rule.value ?? 0);
    case '==': return v === rule.value;
    case 'in': return (rule.values ?? []).includes(v);
  }
}

/** A health mark: `target` is `<node>/<device>` (or a sub-target below it). */
export type HealthMark = NonNullable<Inventory['health']>[number];

/**
 * Evaluate `rules` over `samples`; one mark per target and rule that fires, reason
 * `<rule id>: <reason> (<metric>=<value>)`.
 */
export function evaluateHealth(samples: readonly MetricSample[], rules: readonly HealthRule[] = HEALTH_RULES): HealthMark[] {
  const byMetric = new Map<string, HealthRule[]>();
  for (const r of rules) byMetric.set(r.metric, [...(byMetric.get(r.metric) ?? []), r]);
  const out: HealthMark[] = [];
  const seen = new Set<string>();
  for (const s of samples) {
    for (const r of byMetric.get(s.metric) ?? []) {
      if (!ruleFires(r, s.value)) continue;
      const key = `${s.target}\u0000${r.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ target: s.target, health: 'unhealthy', reason: `${r.id}: ${r.reason} (${s.metric}=${s.value})` });
    }
  }
  return out;
}

/** Fill `inv.health` from its metrics (keeps marks the parser set itself). Returns `inv`. */
export function withHealth(inv: Inventory, rules: readonly HealthRule[] = HEALTH_RULES): Inventory {
  if (!inv.metrics?.length) return inv;
  const marks = evaluateHealth(inv.metrics, rules);
  if (marks.length) inv.health = [...(inv.health ?? []), ...marks];
  return inv;
}
