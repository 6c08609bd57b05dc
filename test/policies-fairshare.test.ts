import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FairShareKernel } from '../src/core/fairshare.js';
import { fairShareReference, type FairShareInput } from '../src/reference/fairshare.js';
import { HetpoolError } from '../src/model/errors.js';

const kernel = new FairShareKernel();

describe('fair share kernel: worked examples', () => {
  it('reproduces the DRF paper example (Ghodsi et al. NSDI11 §4.1)', () => {
    // Pool <9 CPU, 18 GB>; A's tasks <1 CPU, 4 GB>, B's tasks <3 CPU, 1 GB>.
    // Progressive filling: A1 (mem 4/18=.22) B1 (cpu 3/9=.33) A2 (.44) B2 (.67) A3 (.67);
    // A4 needs 1 CPU but 9-3-6 = 0 free → blocked; B3 needs 3 CPU → blocked.
    // A = 3 tasks = <3, 12>, B = 2 tasks = <6, 2>; both dominant shares 2/3.
    const input: FairShareInput = {
      cap: [9, 18], parent: [-1, -1], weight: [1, 1], demand: [1, 4, 3, 1], maxTasks: [100, 100], usage: [0, 0, 0, 0],
    };
    for (const res of [kernel.solve(input), fairShareReference(input)]) {
      expect(Array.from(res.tasks)).toEqual([3, 2]);
      expect(Array.from(res.alloc)).toEqual([3, 12, 6, 2]);
    }
  });

  it('splits hierarchically and by weight (H-DRF, Bhattacharya et al. SoCC13)', () => {
    // root ─ org1 (w1) ─ q1, q2 ; root ─ org2 (w2) ─ q3. 12 CPUs, every task 1 CPU.
    // Weighted: org1/1 = org2/2 at the end → org1 4 CPUs, org2 8 CPUs; q1 = q2 = 4/2 = 2.
    const input: FairShareInput = {
      cap: [12], parent: [-1, 0, 0, -1, 3], weight: [1, 1, 1, 2, 1],
      demand: [0, 1, 1, 0, 1], maxTasks: [0, 50, 50, 0, 50], usage: [0, 0, 0, 0, 0],
    };
    const res = kernel.solve(input);
    expect(Array.from(res.tasks)).toEqual([0, 2, 2, 0, 8]);
    // inner tenants carry their subtree totals: org1 = 2 + 2, org2 = 8
    expect(Array.from(res.alloc)).toEqual([4, 2, 2, 8, 8]);
  });

  it('gives a capped leaf only what it asks and the rest to the others (max-min)', () => {
    // 10 CPUs; q0 wants 2 tasks of 1 CPU, q1 wants up to 100 → q0 = 2, q1 = 10 - 2 = 8.
    const input: FairShareInput = { cap: [10], parent: [-1, -1], weight: [1, 1], demand: [1, 1], maxTasks: [2, 100], usage: [0, 0] };
    expect(Array.from(kernel.solve(input).tasks)).toEqual([2, 8]);
  });

  it('orders leaves by usage share ÷ deserved share', () => {
    // 10 CPUs, both deserve 5 (share 500000). usage: q0 = 4 → 0.8 of deserved, q1 = 1 → 0.2.
    // q1 is more under-served and comes first.
    const input: FairShareInput = { cap: [10], parent: [-1, -1], weight: [1, 1], demand: [1, 1], maxTasks: [100, 100], usage: [4, 1] };
    expect(kernel.solve(input).order).toEqual([1, 0]);
  });

  it('rejects malformed input naming the column and changes nothing', () => {
    const bad: FairShareInput = { cap: [10], parent: [-1, 1], weight: [1, 1], demand: [1, 1], maxTasks: [1, 1], usage: [0, 0] };
    expect(() => kernel.solve(bad)).toThrow(HetpoolError);
    expect(() => kernel.solve(bad)).toThrow(/parent\[1\]/);
    expect(() => kernel.solve({ ...bad, parent: [-1, -1], weight: [1, 0] })).toThrow(/weight\[1\]/);
  });
});

/** Random tenant trees: parent[i] ∈ [-1, i-1], small integer vectors. */
const inputArb = fc
  .record({ n: fc.integer({ min: 1, max: 12 }), r: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, r }) =>
    fc.record({
      cap: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: r, maxLength: r }),
      parent: fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
      weight: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
      demand: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: n * r, maxLength: n * r }),
      maxTasks: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: n, maxLength: n }),
      usage: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: n * r, maxLength: n * r }),
    }),
  );

describe('fair share kernel: properties', () => {
  it('equals its TypeScript twin on random trees (differential)', () => {
    // Invariant: kernel and twin return identical allocations, task counts and order.
    fc.assert(
      fc.property(inputArb, (input) => {
        const a = kernel.solve(input);
        const b = fairShareReference(input);
        expect(Array.from(a.alloc)).toEqual(Array.from(b.alloc));
        expect(Array.from(a.tasks)).toEqual(Array.from(b.tasks));
        expect(a.order).toEqual(b.order);
      }),
      { numRuns: 300 },
    );
  });

  it('never allocates beyond the pool and never beyond a leaf demand', () => {
    // Invariant: Σ over leaves alloc ≤ cap per resource; tasks ≤ maxTasks; alloc = tasks × demand.
    fc.assert(
      fc.property(inputArb, (input) => {
        const n = input.parent.length;
        const r = input.cap.length;
        const res = kernel.solve(input);
        const isLeaf = Array.from({ length: n }, (_, i) => !Array.from(input.parent).includes(i));
        for (let k = 0; k < r; k++) {
          let sum = 0;
          for (let i = 0; i < n; i++) if (isLeaf[i]) sum += res.alloc[i * r + k];
          expect(sum).toBeLessThanOrEqual(input.cap[k]);
        }
        for (let i = 0; i < n; i++) {
          if (!isLeaf[i]) continue;
          expect(res.tasks[i]).toBeLessThanOrEqual(input.maxTasks[i]);
          for (let k = 0; k < r; k++) expect(res.alloc[i * r + k]).toBe(res.tasks[i] * input.demand[i * r + k]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
