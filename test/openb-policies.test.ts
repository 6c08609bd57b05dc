/**
 * Hand-computed scores of every study policy (fixtures/openb/README.md "The policies of the study")
 * and of FGD's fragmentation measure, on small hand-made nodes. The arithmetic is in the comments.
 */
import { describe, expect, it } from 'vitest';
import { allocOpenbState, chooseGpus, fragOf, initNodes, OPENB_POLICY, type OpenbState, replayPods, scoreNode } from '../src/reference/openb.js';
import { prepareReplay } from '../src/sim/openb/prepare.js';
import type { TypicalPod } from '../src/sim/openb/typical.js';
import type { ReplayNode, ReplayPod } from '../src/sim/openb/types.js';

const pod = (name: string, cpuMilli: number, numGpu: number, gpuMilli: number, gpuSpec: string[] = []): ReplayPod => ({ name, cpuMilli, memoryMiB: 1, numGpu, gpuMilli, gpuSpec });
const typ = (cpuMilli: number, gpuMilli: number, numGpu: number, count: number, gpuSpec = ''): TypicalPod => ({ cpuMilli, gpuMilli, numGpu, gpuSpec, count });

/** A state over `nodes` with `pods` as the classes (arrival order = list order), typical set `m`. */
function build(nodes: ReplayNode[], pods: ReplayPod[], m: TypicalPod[], temperature = 1000): OpenbState {
  const { sizes, fill } = prepareReplay({ nodes, pods, order: pods.map((_, i) => i), typical: m, scoring: m.map((t) => ({ ...t, weight: t.count })), temperature });
  const s = allocOpenbState(sizes);
  fill(s);
  return s;
}

// Two nodes of 2 GPUs: A is empty; B has a 700-milli share-gpu pod on GPU 0 and 48 cores free.
const nodesAB: ReplayNode[] = [
  { name: 'A', cpuMilli: 96_000, memoryMiB: 100_000, gpuCount: 2, model: 'V100' },
  { name: 'B', cpuMilli: 96_000, memoryMiB: 100_000, gpuCount: 2, model: 'V100' },
];
// Classes: 0 = (1 core, 300 milli); 1 = (32 cores, 1 whole GPU); 2 = (1 core, CPU only).
const podsAB = [pod('p0', 1000, 1, 300), pod('p1', 32_000, 1, 1000), pod('p2', 1000, 0, 0)];
// M = {m1: (1 core, 500 milli ×1), m2: (2 cores, 1000 ×1)}, one each: W = 2.
const mAB = [typ(1000, 500, 1, 1), typ(2000, 1000, 1, 1)];

function stateAB(): OpenbState {
  const s = build(nodesAB, podsAB, mAB);
  const b = 1;
  s.gpuFree[s.nodeFirstGpu[b]] = 300;
  s.nodeCpu[b] = 48_000;
  s.nodeKeys[b] = 1; // share-gpu
  initNodes(s);
  return s;
}

describe('fragmentation measure (README "Fragmentation")', () => {
  it('sums the four cases over typical pods, scaled by the weights', () => {
    // Node C: 4 GPUs free [1000, 600, 200, 0] (R = 1800), 1.5 cores free, model V100 (id 0).
    const nodes: ReplayNode[] = [{ name: 'C', cpuMilli: 1500, memoryMiB: 10, gpuCount: 4, model: 'V100' }, { name: 'D', cpuMilli: 1, memoryMiB: 1, gpuCount: 1, model: 'T4' }];
    const m = [
      typ(500, 0, 0, 2), // m0 CPU-only, w 2: case 1 → R = 1800, ×2 = 3600
      typ(1000, 500, 1, 1), // m1 fits (GPUs 1000 and 600 ≥ 500): case 3 → 200 + 0 = 200
      typ(2000, 1000, 1, 1), // m2 needs 2 cores > 1.5: case 4 → 1800
      typ(100, 500, 2, 1, 'T4'), // m3 model not allowed: case 2 → 1800
      typ(100, 1000, 2, 1), // m4 needs 2 whole GPUs, only 1 free: case 4 → 1800
    ];
    const s = build(nodes, [pod('x', 0, 0, 0)], m);
    const first = s.nodeFirstGpu[0];
    s.gpuFree.set([1000, 600, 200, 0], first);
    // Σ = 3600 + 200 + 1800 + 1800 + 1800 = 9200 (W = 6: F_C = 1533.3 milli)
    expect(fragOf(s, 0, 0, 1500, 0, 0)).toBe(9200);
    // Hypothetically 500 milli less on GPU 1 (600 → 100): m1 now fits on GPU 0 only, small = 100 + 200 + 0 = 300;
    // R = 1300: 2·1300 + 300 + 3·1300 = 6800
    expect(fragOf(s, 0, 0, 1500, 0b0010, 500)).toBe(6800);
    // With 2 cores free m2 fits on GPU 0: small = 600 + 200 + 0 = 800 instead of 1800: 9200 − 1000 = 8200
    expect(fragOf(s, 0, 0, 2000, 0, 0)).toBe(8200);
  });

  it('an empty node has only the CPU-only pods\' share; the cluster value is the sum over nodes', () => {
    const s = build(nodesAB, podsAB, [typ(500, 0, 0, 1), ...mAB]);
    // Each empty node: m0 → R = 2000; m1, m2 fit with no small GPU → 0. Two nodes: 4000.
    expect(initNodes(s)).toBe(4000);
  });
});

describe('policy scores (README formulas) for the (1 core, 300 milli) pod on A (empty) and B (GPU 0 at 300 free)', () => {
  it('FGD: floor(100·σ((F_n − F_n′)/1000)), best GPU first', () => {
    const s = stateAB();
    // F_A = 0 (both typical pods fit, no GPU below 500 or 1000). A′ (300 on GPU 0 → [700, 1000]):
    // m1 small 0; m2 small 700 → F′ = 700/2 = 350 milli; σ(−0.35) = 0.4134 → 41 (GPU 1 is equal: skipped).
    expect(scoreNode(s, OPENB_POLICY.fgd, 0, 0)).toBe(41);
    // F_B: m1 small 300, m2 small 300 → 600/2 = 300. B′ on GPU 0 ([0, 1000]): 0 → Δ = +300, σ(0.3) = 0.5744 → 57.
    // B′ on GPU 1 ([300, 700]): m1 small 300, m2 no whole GPU → R = 1000: 1300/2 = 650 → Δ = −350 → 41.
    expect(scoreNode(s, OPENB_POLICY.fgd, 1, 0)).toBe(57);
    expect(chooseGpus(s, OPENB_POLICY.fgd, 1, 0, 42)).toBe(0b01);
    // The whole-GPU pod (class 1) on A takes GPU 0 → [0, 1000]: m1 and m2 fit, small 0 → Δ = 0 → σ(0) = 0.5 → 50.
    expect(scoreNode(s, OPENB_POLICY.fgd, 0, 1)).toBe(50);
  });

  it('BestFit: floor(100·(1 − [0.5·(cpuLeft − cpu)/128000 + 0.5·(R − k·gpu)/8000]))', () => {
    const s = stateAB();
    // A: 0.5·95000/128000 + 0.5·1700/8000 = 0.371094 + 0.10625 = 0.477344 → floor(52.27) = 52
    expect(scoreNode(s, OPENB_POLICY.bestfit, 0, 0)).toBe(52);
    // B: 0.5·47000/128000 + 0.5·1000/8000 = 0.183594 + 0.0625 = 0.246094 → floor(75.39) = 75
    expect(scoreNode(s, OPENB_POLICY.bestfit, 1, 0)).toBe(75);
    // best-fit GPU on B: GPU 0 (300 free) is the least free ≥ 300
    expect(chooseGpus(s, OPENB_POLICY.bestfit, 1, 0, 42)).toBe(0b01);
  });

  it('DotProd: floor(100·(1 − v·d/2)) for the (32 cores, 1 GPU) pod', () => {
    const s = stateAB();
    // A: v = [96000/128000, 2000/8000] = [0.75, 0.25], d = [0.25, 0.125]: v·d = 0.1875 + 0.03125 = 0.21875 → 100·(1 − 0.109375) = 89.06 → 89
    expect(scoreNode(s, OPENB_POLICY.dotprod, 0, 1)).toBe(89);
    // B: v = [0.375, 0.1625]: v·d = 0.09375 + 0.0203125 = 0.1140625 → 100·(1 − 0.05703125) = 94.30 → 94
    expect(scoreNode(s, OPENB_POLICY.dotprod, 1, 1)).toBe(94);
  });

  it('GpuClustering: 75/50/25/0 + floor(25·(8000 − R)/8000) by the keys already on the node', () => {
    const s = stateAB();
    // A: no GPU pods yet → 25 + floor(25·6000/8000 = 18.75) = 43
    expect(scoreNode(s, OPENB_POLICY.gpuClustering, 0, 0)).toBe(43);
    // B: A = {share-gpu} = {key} → 75 + floor(25·6700/8000 = 20.94) = 95
    expect(scoreNode(s, OPENB_POLICY.gpuClustering, 1, 0)).toBe(95);
    // whole 1-gpu pod on B: key 1-gpu not in {share-gpu} → b = 20
    expect(scoreNode(s, OPENB_POLICY.gpuClustering, 1, 1)).toBe(20);
    // CPU-only pods score 0 everywhere
    expect(scoreNode(s, OPENB_POLICY.gpuClustering, 1, 2)).toBe(0);
  });

  it('GpuPacking: partly used GPUs, then used nodes, then small empty nodes', () => {
    const s = stateAB();
    // A: every GPU free → 33 − 2 = 31
    expect(scoreNode(s, OPENB_POLICY.gpuPacking, 0, 0)).toBe(31);
    // B, 300 milli: GPU 0 (300 free, not fully free): floor(300·100/1000) = 30 → max(100 − floor(30/10), 50) = 97
    expect(scoreNode(s, OPENB_POLICY.gpuPacking, 1, 0)).toBe(97);
    // B, whole GPU: GPU 1 is fully free → max(50 − 1, 33) = 49
    expect(scoreNode(s, OPENB_POLICY.gpuPacking, 1, 1)).toBe(49);
  });

  it('Random: every feasible node scores 0; a fractional pod goes on a GPU with room', () => {
    const s = stateAB();
    expect(scoreNode(s, OPENB_POLICY.random, 0, 0)).toBe(0);
    expect(scoreNode(s, OPENB_POLICY.random, 1, 0)).toBe(0);
    // a 500-milli pod on B: GPU 0 has 300 < 500, so only GPU 1 qualifies, whatever the draw
    const s2 = build(nodesAB, [pod('half', 1000, 1, 500)], mAB);
    s2.gpuFree[s2.nodeFirstGpu[1]] = 300;
    initNodes(s2);
    for (let seed = 0; seed < 20; seed++) expect(chooseGpus(s2, OPENB_POLICY.random, 1, 0, seed)).toBe(0b10);
  });

  it('infeasible nodes score −1: not enough CPU, GPU share or allowed model', () => {
    const s = build(nodesAB, [pod('big', 200_000, 0, 0), pod('two', 0, 2, 1000), pod('t4', 0, 1, 100, ['T4'])], mAB);
    s.gpuFree[s.nodeFirstGpu[1]] = 300;
    initNodes(s);
    for (const policy of Object.values(OPENB_POLICY)) {
      expect(scoreNode(s, policy, 0, 0)).toBe(-1); // 200 cores > 96
      expect(scoreNode(s, policy, 1, 1)).toBe(-1); // two whole GPUs, B has one
      expect(scoreNode(s, policy, 0, 2)).toBe(-1); // T4 only; the cluster has V100
    }
  });
});

describe('replay loop', () => {
  it('places the stream on the best node, counts a pod that fits nowhere as failed, and logs used milli', () => {
    // BestFit, one node of 1 GPU and 4 cores: 600 milli (fits), 600 milli (400 left: fails), 400 milli (fits).
    const nodes: ReplayNode[] = [{ name: 'N', cpuMilli: 4000, memoryMiB: 100, gpuCount: 1, model: 'T4' }];
    const pods = [pod('a', 1000, 1, 600), pod('b', 1000, 1, 600), pod('c', 1000, 1, 400)];
    const s = build(nodes, pods, [typ(1000, 600, 1, 1)]);
    replayPods(s, OPENB_POLICY.bestfit, 42, 0, 3, initNodes(s));
    expect([...s.podNode]).toEqual([0, -1, 0]);
    expect([...s.podUsed]).toEqual([600, 600, 1000]);
    // fragmentation after each pod (M = {600 ×1}, W = 1): 400 free < 600 → 400; then 400; then 0
    expect([...s.podFrag]).toEqual([400, 400, 0]);
  });
});
