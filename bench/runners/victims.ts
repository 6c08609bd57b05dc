/**
 * Victim selection for preemption (src/core/victims.ts): the cheapest set of running tasks to
 * evict on one node, WebAssembly kernel versus its TypeScript twin on the same inputs.
 */
import { VictimKernel } from '../../src/core/victims.js';
import { selectVictimsReference, type VictimCandidate, type VictimDevice, type VictimNeed } from '../../src/reference/victims.js';
import { Rng } from '../../src/sim/random.js';
import { rowOf, sideBySide, type Row } from '../lib/harness.js';
import { num, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';

/** A full node of `d` time-sliced devices running `c` fractional tasks, and a preemptor needing one device share. */
export function victimInput(d: number, c: number, seed: number): { devices: VictimDevice[]; cands: VictimCandidate[]; need: VictimNeed } {
  const rng = new Rng(seed);
  const used = new Array<number>(d).fill(0);
  const count = new Array<number>(d).fill(0);
  const cands: VictimCandidate[] = [];
  for (let i = 0; i < c; i++) {
    const dev = rng.int(d);
    const milli = 50 + rng.int(200);
    used[dev] += milli;
    count[dev]++;
    cands.push({ priority: rng.int(1000), tier: rng.int(2), cpuMilli: 500 * (1 + rng.int(4)), memoryMiB: 1024 * (1 + rng.int(4)), devices: [dev], milli, devMemMiB: 512 * (1 + rng.int(4)), work: rng.int(3600), eligible: rng.int(4) > 0 });
  }
  const devices: VictimDevice[] = used.map((u, i) => ({ milliFree: Math.max(0, 1000 - u), memFree: 4096, tasks: count[i], slots: 16, ok: true }));
  const need: VictimNeed = { cpuFree: 2000, memFree: 4096, cpuMilli: 4000, memoryMiB: 8192, devices: 1, milli: 600, devMemMiB: 2048, whole: false };
  return { devices, cands, need };
}

export async function runVictims(s: Scenario): Promise<RunnerOutput> {
  const d = num(s, 'devices');
  const c = num(s, 'candidates');
  const inputs = Array.from({ length: 16 }, (_, i) => victimInput(d, c, 200 + i));
  const kernel = new VictimKernel();
  let found = 0;
  const stats = sideBySide(
    [
      { name: 'wasm', op: (i) => { const x = inputs[i & 15]; if (kernel.select(x.devices, x.cands, x.need)) found++; } },
      { name: 'ts', op: (i) => { const x = inputs[i & 15]; selectVictimsReference(x.devices, x.cands, x.need); } },
    ],
    { rounds: num(s, 'rounds'), opsPerRound: num(s, 'ops') },
  );
  const ratio = stats.ts.medianUs / stats.wasm.medianUs;
  const rows: Row[] = [rowOf(s.name, `select on ${d} devices, ${c} tasks, wasm`, stats.wasm), rowOf(s.name, 'select, ts twin', stats.ts, { ratio, ratioOf: 'ts/wasm time' })];
  return { rows, data: { params: s.params, stats, ratioTsOverWasm: ratio, wasmCallsWithAChoice: found } };
}
