import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCluster, generateWorkload, offersOf, readTasks, workloadStream, writeJsonLines } from '../src/sim/generate/index.js';
import { HetpoolError, parseTask, type Cluster, type TaskInput } from '../src/model/index.js';

const errOf = (f: () => unknown): HetpoolError => {
  try {
    f();
  } catch (e) {
    return e as HetpoolError;
  }
  throw new Error('did not throw');
};

describe('workloadStream / generateWorkload', () => {
  const cluster = generateCluster({ nodes: 400, seed: 3 });

  it('same seed → the same stream; tasks are valid and in arrival order', () => {
    const a = generateWorkload({ tasks: 2000, seed: 8, cluster });
    const b = generateWorkload({ tasks: 2000, seed: 8, cluster });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(generateWorkload({ tasks: 2000, seed: 9, cluster }))).not.toBe(JSON.stringify(a));
    for (let i = 1; i < a.tasks.length; i++) expect(a.tasks[i].arrival!).toBeGreaterThanOrEqual(a.tasks[i - 1].arrival!);
    expect(a.tasks.every((t) => t.duration! >= 1 && t.duration! <= 7 * 86400)).toBe(true);
  });

  it('arrivals are Poisson at the requested rate and durations log-normal around the median', () => {
    const w = [...workloadStream({ tasks: 20000, seed: 1, arrivalRate: 2, medianDuration: 600 })];
    // Mean gap 1/rate = 0.5 s; the sum of 20,000 exponential gaps has relative sd 1/√20000 ≈ 0.7%.
    const meanGap = w[w.length - 1].arrival! / w.length;
    expect(meanGap).toBeGreaterThan(0.5 * 0.97);
    expect(meanGap).toBeLessThan(0.5 * 1.03);
    // Sample median of a log-normal with median 600, σ = 1.2: the log-median's sd ≈ 1.2·√(π/2)/√n ≈ 0.011.
    const d = w.map((t) => t.duration!).sort((x, y) => x - y);
    const med = d[d.length / 2];
    expect(med).toBeGreaterThan(600 * 0.95);
    expect(med).toBeLessThan(600 * 1.05);
    // Heavy tail: p99 ≈ 600·e^{1.2·2.326} ≈ 9,800 s, far above 10× the median.
    expect(d[Math.floor(d.length * 0.99)]).toBeGreaterThan(6000);
  });

  it('a diurnal swing puts more arrivals in the day half than the night half', () => {
    const w = [...workloadStream({ tasks: 30000, seed: 4, arrivalRate: 0.1, diurnal: 0.9 })];
    let day = 0, night = 0;
    for (const t of w) {
      if (t.arrival! >= 3 * 86400) break;
      if (t.arrival! % 86400 < 43200) day++;
      else night++;
    }
    // ∫ over a half day of (1 + a·sin): P/2 ± a·P/π, so day/night = (0.5 + 0.9/π)/(0.5 − 0.9/π)
    // = 0.7865/0.2135 ≈ 3.68 (relative sd ≈ √(1/20400 + 1/5500) ≈ 1.5%).
    expect(day / night).toBeGreaterThan(3.3);
    expect(day / night).toBeLessThan(4.1);
  });

  it('every accelerator request names something the cluster offers, in the documented mix', () => {
    const w = generateWorkload({ tasks: 10000, seed: 6, cluster });
    const offers = offersOf(cluster);
    const byModel = new Map(offers.map((o) => [o.model, o]));
    const kinds = { cpu: 0, fractional: 0, partition: 0, whole: 0, multi: 0 };
    for (const t of w.tasks) {
      const a = t.accel;
      if (!a) {
        kinds.cpu++;
        continue;
      }
      const candidates = a.models ? a.models.map((m) => byModel.get(m)!) : offers.filter((o) => o.kind === a.kind);
      expect(candidates.every((o) => o !== undefined && o.kind === a.kind)).toBe(true);
      if (a.profile) {
        kinds.partition++;
        expect(candidates.some((o) => o.profiles.some((p) => p.name === a.profile && p.milli === a.milli))).toBe(true);
      } else if (a.milli < 1000) {
        kinds.fractional++;
        expect([810, 470, 320, 650, 230, 460, 590, 160, 550, 220, 370, 110, 50]).toContain(a.milli);
        expect(candidates.some((o) => o.timeSlice && o.memoryMiB >= a.memoryMiB)).toBe(true);
      } else if (a.count > 1) {
        kinds.multi++;
        expect(candidates.some((o) => o.maxPerNode >= a.count)).toBe(true);
      } else kinds.whole++;
      // CPU and memory never exceed what a node of the model gives its devices.
      expect(candidates.some((o) => t.cpuMilli <= a.count * o.cpuPerDevice && t.memoryMiB <= a.count * o.memPerDevice)).toBe(true);
    }
    // Default mix 15 : 35 : 8 : 35 : 7 of 100; binomial sd at n = 10,000 is ≤ 0.005, tolerance 0.025.
    const share = (k: keyof typeof kinds) => kinds[k] / w.tasks.length;
    expect(Math.abs(share('cpu') - 0.15)).toBeLessThan(0.025);
    expect(Math.abs(share('fractional') - 0.35)).toBeLessThan(0.025);
    expect(Math.abs(share('partition') - 0.08)).toBeLessThan(0.025);
    expect(Math.abs(share('whole') - 0.35)).toBeLessThan(0.025);
    expect(Math.abs(share('multi') - 0.07)).toBeLessThan(0.025);
  });

  it('drops request kinds the cluster cannot serve', () => {
    const cpuOnly: Cluster = { version: 1, nodes: generateCluster({ nodes: 5, seed: 1 }).nodes.map((n) => ({ ...n, devices: [] })) };
    expect(generateWorkload({ tasks: 300, seed: 2, cluster: cpuOnly }).tasks.every((t) => !t.accel)).toBe(true);
    const noPartition: Cluster = { version: 1, nodes: cluster.nodes.map((n) => ({ ...n, devices: n.devices.filter((d) => d.sharing.mode !== 'partition') })) };
    expect(generateWorkload({ tasks: 2000, seed: 2, cluster: noPartition }).tasks.some((t) => t.accel?.profile)).toBe(false);
  });

  it('rejects bad options naming the field', () => {
    expect(errOf(() => [...workloadStream({ tasks: -1 })]).path).toBe('options.tasks');
    expect(errOf(() => [...workloadStream({ tasks: 3, diurnal: 1.5 })]).path).toBe('options.diurnal');
    expect(errOf(() => [...workloadStream({ tasks: 3, mix: { gang: 1 } as never })]).path).toBe('options.mix.gang');
  });
});

describe('JSON Lines', () => {
  it('writes a stream and reads it back task for task', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-wl-'));
    const file = join(dir, 'w.jsonl');
    const n = writeJsonLines(file, workloadStream({ tasks: 3000, seed: 5 }));
    expect(n).toBe(3000);
    const back = [...readTasks(file)];
    const direct = [...workloadStream({ tasks: 3000, seed: 5 })].map((t: TaskInput) => parseTask(t));
    expect(back).toEqual(direct);
  });

  it('names file and line of a bad task, and reads task-list JSON too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-wl-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","arrival":0,"duration":5}\n\n{"id":"b","accel":{"kind":"gpu","milli":2000}}\n');
    const e = errOf(() => [...readTasks(file)]);
    // Line 3 (the blank line 2 still counts).
    expect(e.path).toBe(`${file}:3.accel.milli`);
    const json = join(dir, 'w.json');
    writeFileSync(json, JSON.stringify({ version: 1, tasks: [{ id: 'a' }, { id: 'b', cpuMilli: 5 }] }));
    expect([...readTasks(json)].map((t) => t.id)).toEqual(['a', 'b']);
    writeFileSync(json, JSON.stringify({ version: 1, tasks: [{ id: 'a' }, { id: 'b', cpuMilli: -5 }] }));
    expect(errOf(() => [...readTasks(json)]).path).toBe(`${json}: tasks[1].cpuMilli`);
  });
});
