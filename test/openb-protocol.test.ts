/**
 * The study's protocol (fixtures/openb/README.md): typical-pod distribution M, arrival order
 * (sort by name, shuffle, inflate by +gpu_milli), and the report's averaging rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPods } from '../src/sim/openb/load.js';
import { curvesOf } from '../src/sim/openb/metrics.js';
import { arrivalOrder, podDemandMilli } from '../src/sim/openb/protocol.js';
import { podKeyCounts, typicalPods } from '../src/sim/openb/typical.js';
import type { ReplayPod } from '../src/sim/openb/types.js';

const pod = (name: string, cpuMilli: number, numGpu: number, gpuMilli: number): ReplayPod => ({ name, cpuMilli, memoryMiB: 1, numGpu, gpuMilli, gpuSpec: [] });

describe('typical pods M', () => {
  it('keeps 35 of 91 keys (95.26% of pods) for the default list', () => {
    const pods = loadPods('fixtures/openb/openb_pod_list_default.csv');
    expect(podKeyCounts(pods).length).toBe(91);
    const m = typicalPods(pods);
    expect(m.length).toBe(35);
    const covered = m.reduce((s, t) => s + t.count, 0);
    expect((covered / pods.length) * 100).toBeCloseTo(95.26, 2);
    // the most frequent key of the default list: (3152 milli-CPU, 810 milli-GPU ×1), 1047 pods
    expect(m[0]).toMatchObject({ cpuMilli: 3152, gpuMilli: 810, numGpu: 1, count: 1047 });
  });

  it('stops at the first key that reaches 95% and breaks count ties by the larger tuple', () => {
    // counts 12, 4, 3, 1 of 20 pods: cumulative 60%, 80%, 95% → three keys
    const pods = [
      ...Array.from({ length: 12 }, (_, i) => pod(`a${i}`, 1000, 1, 500)),
      ...Array.from({ length: 4 }, (_, i) => pod(`b${i}`, 2000, 0, 0)),
      ...Array.from({ length: 3 }, (_, i) => pod(`c${i}`, 3000, 1, 1000)),
      pod('d', 4000, 2, 1000),
    ];
    expect(typicalPods(pods).map((t) => t.count)).toEqual([12, 4, 3]);
    // a tie of two keys with one pod each: (2000, …) > (1000, …), so it comes first
    expect(podKeyCounts([pod('x', 1000, 1, 500), pod('y', 2000, 1, 500)]).map((t) => t.cpuMilli)).toEqual([2000, 1000]);
  });
});

describe('arrival order', () => {
  const whole = (n: number, k = 1) => Array.from({ length: n }, (_, i) => pod(`p${i}`, 1000, k, 1000));

  it('inflates by sampling until the next +gpu_milli would pass tune × capacity', () => {
    // 3 one-GPU pods, capacity 3000: tune 1.3 → target 3900; 3000 + 1000 > 3900 → no clone
    expect(arrivalOrder(whole(3), 42, 1.3, 3000).length).toBe(3);
    // tune 1.4 → target 4200: one clone (4000), then 4000 + 1000 > 4200 → stop: 4 arrivals
    expect(arrivalOrder(whole(3), 42, 1.4, 3000).length).toBe(4);
    // 2 two-GPU pods (2000 milli each), capacity 4000, target 5200: 4000 + gpu_milli 1000 ≤ 5200 →
    // a clone is appended (total 6000 > 5200, as the study's +gpu_milli comparison allows) → 3
    expect(arrivalOrder(whole(2, 2), 42, 1.3, 4000).length).toBe(3);
    // already above: 4 pods (4000) with target 0.5 × 4000 = 2000 → random pods removed down to 2
    expect(arrivalOrder(whole(4), 42, 0.5, 4000).length).toBe(2);
  });

  it('is a shuffle of the name-sorted list followed by clones, independent of file order', () => {
    // Invariant: the first n arrivals are each pod once; the same seed gives the same names in the
    // same order whatever order the file listed them in; the total stays within target + one pod.
    fc.assert(
      fc.property(fc.array(fc.record({ num: fc.constantFrom(0, 1, 2), milli: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), fc.integer(), (specs, seed, rot) => {
        const pods = specs.map((s, i) => pod(`n${String(i).padStart(3, '0')}`, 0, s.num, s.num === 0 ? 0 : s.num > 1 ? 1000 : s.milli));
        const capacity = 10_000;
        const order = arrivalOrder(pods, seed, 1.3, capacity);
        const total = order.reduce((s, i) => s + podDemandMilli(pods[i]), 0);
        const original = pods.reduce((s, p) => s + podDemandMilli(p), 0);
        if (original <= 13_000) {
          expect([...order.slice(0, pods.length)].sort((a, b) => a - b)).toEqual(pods.map((_, i) => i));
          expect(total).toBeLessThanOrEqual(13_000 + 2000);
        } else expect(total).toBeLessThanOrEqual(13_000);
        const k = ((rot % pods.length) + pods.length) % pods.length;
        const rotated = [...pods.slice(k), ...pods.slice(0, k)];
        const names = (ps: ReplayPod[], o: number[]) => o.map((i) => ps[i].name);
        expect(names(rotated, arrivalOrder(rotated, seed, 1.3, capacity))).toEqual(names(pods, order));
      }),
      { numRuns: 100 },
    );
  });
});

describe('report curves', () => {
  it('averages events at x = round(arrived %), else within x ± 1', () => {
    // capacity 1000; events at arrived 0, 100, 100, 300 → x = 0, 10, 10, 30; used 0, 100, 150, 200
    const c = curvesOf([0, 100, 100, 300], [0, 100, 150, 200], [0, 50, 50, 100], 1000);
    expect(c.allocationRatio.length).toBe(131);
    expect(c.allocationRatio[10]).toBe(12.5); // mean(10%, 15%)
    expect(c.allocationRatio[11]).toBe(12.5); // none at 11: events at 10..12 → the same two
    expect(c.allocationRatio[29]).toBe(20); // none at 29: the event at 30
    expect(c.allocationRatio[20]).toBeNull(); // nothing within 19..21
    // fragmentation amount 100/1000 = 10%; ratio 100 / idle 800 = 12.5%
    expect(c.fragmentationAmount[30]).toBe(10);
    expect(c.fragmentationRatio[30]).toBe(12.5);
  });
});
