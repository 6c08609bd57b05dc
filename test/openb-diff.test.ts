/**
 * Differential tests: the WebAssembly kernel (assembly/openb.ts) makes the same decision as its
 * TypeScript twin (src/reference/openb.ts) for every pod — same node, same GPUs, same logged
 * fragmentation and used milli — on random small clusters, typical sets and pod streams, for
 * every policy. Plus the protocol's "no refusing" rule, checked on the twin.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWasmOpenbState, initWasmOpenb, replayWasmOpenb } from '../src/core/openb.js';
import { allocOpenbState, feasible, initNodes, OPENB_POLICY, type OpenbState, replayPods } from '../src/reference/openb.js';
import { prepareReplay, type ReplayInput } from '../src/sim/openb/prepare.js';
import type { TypicalPod } from '../src/sim/openb/typical.js';
import type { ReplayNode, ReplayPod } from '../src/sim/openb/types.js';

const MODELS = ['A', 'B', 'C'];
const nodeArb: fc.Arbitrary<ReplayNode> = fc.record({
  name: fc.constant(''),
  cpuMilli: fc.integer({ min: 0, max: 64 }).map((c) => c * 1000),
  memoryMiB: fc.integer({ min: 0, max: 64 }).map((m) => m * 1024),
  gpuCount: fc.constantFrom(0, 1, 2, 4, 8),
  model: fc.constantFrom(...MODELS),
});
const specArb = fc.oneof(fc.constant<string[]>([]), fc.subarray(MODELS, { minLength: 1 }));
const podArb: fc.Arbitrary<ReplayPod> = fc
  .record({
    cpuMilli: fc.integer({ min: 0, max: 24 }).map((c) => c * 1000),
    memoryMiB: fc.integer({ min: 0, max: 16 }).map((m) => m * 1024),
    kind: fc.constantFrom('cpu', 'share', 'whole'),
    milli: fc.constantFrom(50, 160, 230, 320, 470, 500, 650, 810),
    num: fc.constantFrom(1, 2, 4, 8),
    gpuSpec: specArb,
  })
  .map((p) => ({
    name: '',
    cpuMilli: p.cpuMilli,
    memoryMiB: p.memoryMiB,
    numGpu: p.kind === 'cpu' ? 0 : p.kind === 'share' ? 1 : p.num,
    gpuMilli: p.kind === 'cpu' ? 0 : p.kind === 'share' ? p.milli : 1000,
    gpuSpec: p.gpuSpec,
  }));
const typicalArb: fc.Arbitrary<TypicalPod> = fc.record({
  cpuMilli: fc.integer({ min: 0, max: 16 }).map((c) => c * 1000),
  gpuMilli: fc.constantFrom(0, 160, 470, 810, 1000),
  numGpu: fc.constantFrom(1, 2),
  gpuSpec: fc.constantFrom('', 'A', 'B|C'),
  count: fc.integer({ min: 1, max: 50 }),
}).map((t) => ({ ...t, numGpu: t.gpuMilli === 0 ? 0 : t.gpuMilli < 1000 ? 1 : t.numGpu }));

const caseArb = fc.record({
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 12 }),
  pods: fc.array(podArb, { minLength: 1, maxLength: 25 }),
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
  typical: fc.array(typicalArb, { minLength: 1, maxLength: 6 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  temperature: fc.constantFrom(1000, 2000),
  strand: fc.constantFrom(0, 3),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function inputOf(c: Case): ReplayInput {
  return {
    nodes: c.nodes.map((n, i) => ({ ...n, name: `n${i}` })),
    pods: c.pods.map((p, i) => ({ ...p, name: `p${i}` })),
    order: c.order.map((o) => o % c.pods.length),
    typical: c.typical,
    scoring: c.typical.map((t) => ({ ...t, weight: t.count })),
    temperature: c.temperature,
    strandWeight: c.strand,
  };
}

const columns = (s: OpenbState) => ({ node: [...s.podNode], gpus: [...s.podGpus], frag: [...s.podFrag], used: [...s.podUsed], free: [...s.gpuFree], cpu: [...s.nodeCpu] });

describe('openb kernel ≡ twin', () => {
  for (const [name, policy] of Object.entries(OPENB_POLICY)) {
    it(`${name}: same node and GPUs for every pod on random clusters and streams`, () => {
      // Invariant: for the same state and seed, kernel and twin agree on every output column.
      fc.assert(
        fc.property(caseArb, (c) => {
          const input = inputOf(c);
          const { sizes, fill } = prepareReplay(input);
          const twin = allocOpenbState(sizes);
          fill(twin);
          const wasm = createWasmOpenbState(sizes);
          fill(wasm);
          const half = sizes.podCount >> 1;
          // Two calls each: state carried across calls must match as well.
          let ft = replayPods(twin, policy, c.seed, 0, half, initNodes(twin));
          ft = replayPods(twin, policy, c.seed, half, sizes.podCount, ft);
          let fw = replayWasmOpenb(wasm, policy, c.seed, 0, half, initWasmOpenb(wasm));
          fw = replayWasmOpenb(wasm, policy, c.seed, half, sizes.podCount, fw);
          expect(columns(wasm)).toEqual(columns(twin));
          expect(fw).toBe(ft);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('protocol: a pod fails only when it fits nowhere', () => {
  it('every failed pod had no node with room (CPU, memory, model, GPUs) when it arrived', () => {
    // Invariant: replaying one pod at a time, a pod counted as failed is infeasible on every node
    // in the state just before it; a placed pod never drives a GPU, CPU or memory below zero.
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...Object.values(OPENB_POLICY)), (c, policy) => {
        const input = inputOf(c);
        const { sizes, fill } = prepareReplay(input);
        const s = allocOpenbState(sizes);
        fill(s);
        let frag = initNodes(s);
        for (let p = 0; p < sizes.podCount; p++) {
          const cls = s.podClass[p];
          const fits = [...Array(sizes.nodeCount).keys()].some((n) => s.nodeMem[n] >= s.podMem[p] && feasible(s, n, cls));
          frag = replayPods(s, policy, c.seed, p, p + 1, frag);
          expect(s.podNode[p] >= 0).toBe(fits);
        }
        expect(Math.min(...s.gpuFree, 0)).toBe(0);
        expect(Math.min(...s.nodeCpu, 0)).toBe(0);
        expect(Math.min(...s.nodeMem, 0)).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
