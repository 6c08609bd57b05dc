/** Health rules as data: each rule fires on its condition and not just below it. */
import { describe, expect, it } from 'vitest';
import { evaluateHealth, HEALTH_RULES, ruleFires } from '../src/adapters/health.js';
import { Metric } from '../src/adapters/metrics.js';
import type { MetricSample } from '../src/adapters/types.js';

const s = (metric: string, value: number, target = 'n1/gpu0'): MetricSample => ({ metric, target, value, unit: '1' });

describe('health rules', () => {
  // [rule id, sample that fires it, sample that must not]
  const table: Array<[string, MetricSample, MetricSample]> = [
    ['ecc-uncorrectable', s(Metric.eccUncorrectable, 1), s(Metric.eccUncorrectable, 0)],
    ['xid-48-dbe', s(Metric.xid, 48), s(Metric.xid, 0)],
    ['xid-79-off-bus', s(Metric.xid, 79), s(Metric.xid, 31)],
    ['xid-94-contained-ecc', s(Metric.xid, 94), s(Metric.xid, 13)],
    ['xid-95-uncontained-ecc', s(Metric.xid, 95), s(Metric.xid, 43)],
    ['xid-64-row-remap-failure', s(Metric.xid, 64), s(Metric.xid, 63)],
    ['retired-pages-pending', s(Metric.retiredPagesPending, 1), s(Metric.retiredPagesPending, 0)],
    ['remapped-rows-pending', s(Metric.remappedRowsPending, 1), s(Metric.remappedRowsPending, 0)],
    ['remapped-rows-failure', s(Metric.remappedRowsFailure, 1), s(Metric.remappedRowsFailure, 0)],
    ['link-down', s(Metric.linkState, 0, 'n1/gpu0/nvlink3'), s(Metric.linkState, 1, 'n1/gpu0/nvlink3')],
    ['vendor-unhealthy', s(Metric.vendorUnhealthy, 1), s(Metric.vendorUnhealthy, 0)],
  ];
  it('every rule is in the table', () => {
    expect(HEALTH_RULES.map((r) => r.id).sort()).toEqual(table.map((t) => t[0]).sort());
  });
  for (const [id, fire, quiet] of table) {
    it(`${id} fires on ${fire.metric}=${fire.value} and not on ${quiet.value}`, () => {
      const marks = evaluateHealth([fire]);
      expect(marks).toEqual([{ target: fire.target, health: 'unhealthy', reason: expect.stringMatching(new RegExp(`^${id}: .*\\(${fire.metric.replace(/\./g, '\\.')}=${fire.value}\\)$`)) }]);
      expect(evaluateHealth([quiet])).toEqual([]);
    });
  }
  it('one mark per target and rule however many samples; rules can be replaced', () => {
    expect(evaluateHealth([s(Metric.eccUncorrectable, 2), s(Metric.eccUncorrectable, 3)])).toHaveLength(1);
    const hot = [{ id: 'too-hot', metric: Metric.temperature, op: '>=' as const, value: 90, reason: 'temperature at or above 90 °C' }];
    expect(evaluateHealth([s(Metric.temperature, 90)], hot)[0].reason).toMatch(/^too-hot:/);
    expect(evaluateHealth([s(Metric.temperature, 89)], hot)).toEqual([]);
    expect(ruleFires({ id: 'x', metric: 'm', op: 'in', values: [1, 2], reason: '' }, 2)).toBe(true);
  });
});
