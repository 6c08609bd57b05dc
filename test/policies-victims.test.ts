import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VictimKernel } from '../src/core/victims.js';
import { selectVictimsReference, type VictimCandidate, type VictimDevice, type VictimNeed } from '../src/reference/victims.js';

const kernel = new VictimKernel();
const both = (d: VictimDevice[], c: VictimCandidate[], n: VictimNeed) => [kernel.select(d, c, n), selectVictimsReference(d, c, n)];

const dev = (milliFree: number, memFree: number, tasks: number, slots = 4, ok = true): VictimDevice => ({ milliFree, memFree, tasks, slots, ok });
const victim = (p: Partial<VictimCandidate> & { priority: number }): VictimCandidate => ({
  tier: 0, cpuMilli: 0, memoryMiB: 0, devices: [], milli: 0, devMemMiB: 0, work: 0, eligible: true, ...p,
});

describe('victim selection: worked examples', () => {
  it('evicts the lowest-priority set and spares everything it can', () => {
    // Node: 1000m CPU free. gpu0: 200 milli, 4000 MiB free, 2 tasks. gpu1: full, 1 task.
    // Preemptor: 2000m CPU, 500 milli + 8000 MiB on one device.
    // On gpu0: evict all (A,B,C), reprieve B (prio 5): A+C free 200+300 = 500 milli ✓,
    //   4000+6000 = 10000 MiB ✓, CPU 1000+1000+4000 ✓ → spared; reprieve C (prio 2): A alone
    //   frees CPU 1000+1000 = 2000 ✓ → spared; A cannot be spared (200 < 500). Set {A}, max prio 1.
    // On gpu1: needs C (0+1000 milli) → set {C}, max prio 2. Lowest max priority wins: {A} on gpu0.
    const devices = [dev(200, 4000, 2), dev(0, 0, 1)];
    const cands = [
      victim({ priority: 1, cpuMilli: 1000, memoryMiB: 2048, devices: [0], milli: 300, devMemMiB: 6000, work: 10 }),
      victim({ priority: 5, cpuMilli: 1000, devices: [0], milli: 500, devMemMiB: 6000, work: 10 }),
      victim({ priority: 2, cpuMilli: 4000, devices: [1], milli: 1000, devMemMiB: 16000, work: 10 }),
    ];
    const need: VictimNeed = { cpuFree: 1000, memFree: 4096, cpuMilli: 2000, memoryMiB: 0, devices: 1, milli: 500, devMemMiB: 8000, whole: false };
    for (const r of both(devices, cands, need)) {
      expect(r).toEqual({ victims: [0], maxTier: 0, maxPriority: 1, count: 1, work: 10, targetDevices: [0] });
    }
  });

  it('reclaims borrowed quota before guaranteed quota, whatever the priority', () => {
    // gpu0 holds a borrowed task (tier 0, prio 5); gpu1 a guaranteed one (tier 1, prio 1).
    // Tier is compared first: 0 < 1 → evict the borrowed task on gpu0.
    const devices = [dev(0, 0, 1), dev(0, 0, 1)];
    const cands = [
      victim({ priority: 5, tier: 0, devices: [0], milli: 1000, devMemMiB: 100 }),
      victim({ priority: 1, tier: 1, devices: [1], milli: 1000, devMemMiB: 100 }),
    ];
    const need: VictimNeed = { cpuFree: 0, memFree: 0, cpuMilli: 0, memoryMiB: 0, devices: 1, milli: 400, devMemMiB: 50, whole: false };
    for (const r of both(devices, cands, need)) expect(r?.victims).toEqual([0]);
  });

  it('prefers fewer victims, then less work lost, at equal priority', () => {
    // gpu0: two prio-1 tasks of 500 milli each (must evict both to free 1000 → count 2);
    // gpu1: one prio-1 task of 1000 milli, work 99 (count 1). Count beats work: gpu1.
    const devices = [dev(0, 1000, 2), dev(0, 1000, 1)];
    const cands = [
      victim({ priority: 1, devices: [0], milli: 500, work: 1 }),
      victim({ priority: 1, devices: [0], milli: 500, work: 1 }),
      victim({ priority: 1, devices: [1], milli: 1000, work: 99 }),
    ];
    const need: VictimNeed = { cpuFree: 0, memFree: 0, cpuMilli: 0, memoryMiB: 0, devices: 1, milli: 1000, devMemMiB: 0, whole: false };
    for (const r of both(devices, cands, need)) expect(r).toMatchObject({ victims: [2], count: 1, work: 99, targetDevices: [1] });
  });

  it('clears the k cheapest whole devices', () => {
    // 2 whole devices needed. gpu0 empty (cost: none), gpu1 one prio-3 task, gpu2 two prio-1
    // tasks, gpu3 a protected task (not clearable). Device cost by max priority: gpu0 < gpu2 (1)
    // < gpu1 (3) → clear gpu0 and gpu2: victims 1 and 2.
    const devices = [dev(1000, 8000, 0), dev(0, 0, 1), dev(0, 0, 2), dev(0, 0, 1)];
    const cands = [
      victim({ priority: 3, devices: [1], milli: 1000, devMemMiB: 8000 }),
      victim({ priority: 1, devices: [2], milli: 500, devMemMiB: 4000 }),
      victim({ priority: 1, devices: [2], milli: 500, devMemMiB: 4000 }),
      victim({ priority: 0, devices: [3], milli: 1000, devMemMiB: 8000, eligible: false }),
    ];
    const need: VictimNeed = { cpuFree: 0, memFree: 0, cpuMilli: 0, memoryMiB: 0, devices: 2, milli: 1000, devMemMiB: 8000, whole: true };
    for (const r of both(devices, cands, need)) expect(r).toMatchObject({ victims: [1, 2], targetDevices: [0, 2] });
  });

  it('answers null when evicting every eligible task is not enough, and [] when it already fits', () => {
    // Needs 3000m CPU; free 1000 + the only eligible victim's 1000 = 2000 < 3000.
    const cands = [victim({ priority: 1, cpuMilli: 1000 }), victim({ priority: 1, cpuMilli: 5000, eligible: false })];
    const need: VictimNeed = { cpuFree: 1000, memFree: 0, cpuMilli: 3000, memoryMiB: 0, devices: 0, milli: 0, devMemMiB: 0, whole: false };
    for (const r of both([], cands, need)) expect(r).toBeNull();
    for (const r of both([], cands, { ...need, cpuMilli: 1000 })) expect(r?.victims).toEqual([]);
  });
});

/** Independent fit check: does the preemptor fit on `target` once `gone` are evicted? */
function fitsAfter(devices: VictimDevice[], cands: VictimCandidate[], need: VictimNeed, gone: number[], target: number[]): boolean {
  let cpu = need.cpuFree;
  let mem = need.memFree;
  for (const i of gone) {
    cpu += cands[i].cpuMilli;
    mem += cands[i].memoryMiB;
  }
  if (cpu < need.cpuMilli || mem < need.memoryMiB) return false;
  for (const t of target) {
    if (!devices[t].ok) return false;
    const leaving = gone.filter((i) => cands[i].devices.includes(t));
    const milli = devices[t].milliFree + leaving.reduce((s, i) => s + cands[i].milli, 0);
    const dmem = devices[t].memFree + leaving.reduce((s, i) => s + cands[i].devMemMiB, 0);
    const left = devices[t].tasks - leaving.length;
    const ok = need.whole ? left <= 0 && milli >= 1000 && dmem >= need.devMemMiB : milli >= need.milli && dmem >= need.devMemMiB && left < devices[t].slots;
    if (!ok) return false;
  }
  return true;
}

/** Random node: up to 6 devices, up to 10 running tasks, small integer sizes. */
const caseArb = fc.integer({ min: 0, max: 6 }).chain((d) =>
  fc.record({
    devices: fc.array(
      fc.record({
        milliFree: fc.integer({ min: 0, max: 1000 }), memFree: fc.integer({ min: 0, max: 100 }),
        tasks: fc.integer({ min: 0, max: 4 }), slots: fc.integer({ min: 0, max: 5 }), ok: fc.boolean(),
      }),
      { minLength: d, maxLength: d },
    ),
    cands: fc.array(
      fc.record({
        priority: fc.integer({ min: -3, max: 3 }), tier: fc.integer({ min: 0, max: 1 }),
        cpuMilli: fc.integer({ min: 0, max: 4000 }), memoryMiB: fc.integer({ min: 0, max: 100 }),
        devices: d === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: d - 1 }), { maxLength: Math.min(d, 3) }),
        milli: fc.integer({ min: 0, max: 1000 }), devMemMiB: fc.integer({ min: 0, max: 60 }),
        work: fc.integer({ min: 0, max: 50 }), eligible: fc.boolean(),
      }),
      { maxLength: 10 },
    ),
    need: fc.record({
      cpuFree: fc.integer({ min: 0, max: 4000 }), memFree: fc.integer({ min: 0, max: 100 }),
      cpuMilli: fc.integer({ min: 0, max: 8000 }), memoryMiB: fc.integer({ min: 0, max: 200 }),
      devices: fc.integer({ min: 0, max: Math.max(0, Math.min(d, 3)) }),
      milli: fc.integer({ min: 1, max: 1000 }), devMemMiB: fc.integer({ min: 0, max: 120 }), whole: fc.boolean(),
    }).map((n) => (n.devices > 1 ? { ...n, whole: true } : n)),
  }),
);

describe('victim selection: properties', () => {
  it('kernel equals its TypeScript twin on random nodes (differential)', () => {
    // Invariant: identical victim lists, costs and target devices (or both null).
    fc.assert(
      fc.property(caseArb, ({ devices, cands, need }) => {
        expect(kernel.select(devices, cands, need)).toEqual(selectVictimsReference(devices, cands, need));
      }),
      { numRuns: 500 },
    );
  });

  it('chooses only eligible victims; the set fits and is minimal by inclusion', () => {
    // Invariant: every victim is eligible; with the victims gone the preemptor fits on the
    // chosen target devices; sparing any one victim makes it not fit (no needless eviction).
    fc.assert(
      fc.property(caseArb, ({ devices, cands, need }) => {
        const r = kernel.select(devices, cands, need);
        if (!r) return;
        for (const i of r.victims) expect(cands[i].eligible).toBe(true);
        expect(r.targetDevices.length).toBe(need.devices);
        expect(fitsAfter(devices, cands, need, r.victims, r.targetDevices)).toBe(true);
        for (const spare of r.victims) {
          expect(fitsAfter(devices, cands, need, r.victims.filter((i) => i !== spare), r.targetDevices)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
