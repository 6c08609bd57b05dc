/**
 * Measurement helpers for bench/: per-operation latency samples (median, p99) and throughput,
 * with variants of one scenario measured side by side in the same run (interleaved rounds) so
 * ratios are not skewed by machine drift. Results go to bench/results/<scenario>.json.
 */
import Benchmark from 'benchmark';
import { cpus, totalmem, platform, arch, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Stats {
  /** Operations measured. */
  ops: number;
  /** Median and 99th percentile of per-operation time, microseconds. */
  medianUs: number;
  p99Us: number;
  meanUs: number;
  /** Operations per second from the median batch time. */
  opsPerSec: number;
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Summarise per-op samples given in nanoseconds. */
export function summarise(samplesNs: number[], opsPerSample = 1): Stats {
  const perOp = samplesNs.map((s) => s / opsPerSample / 1000).sort((a, b) => a - b);
  const mean = perOp.reduce((a, b) => a + b, 0) / Math.max(1, perOp.length);
  const med = percentile(perOp, 50);
  return { ops: perOp.length * opsPerSample, medianUs: med, p99Us: percentile(perOp, 99), meanUs: mean, opsPerSec: med > 0 ? 1e6 / med : Number.POSITIVE_INFINITY };
}

export interface Variant {
  name: string;
  /** Prepare fresh state for a round (not timed). */
  setup?: () => void;
  /** One timed operation; `i` counts operations within the round. */
  op: (i: number) => void;
}

/**
 * Measure variants side by side: `rounds` interleaved rounds, each timing `opsPerRound`
 * operations of every variant one at a time (so p99 is per decision, not per batch).
 */
export function sideBySide(variants: Variant[], opts: { rounds?: number; opsPerRound: number; warmupOps?: number }): Record<string, Stats> {
  const rounds = opts.rounds ?? 5;
  const samples: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (const v of variants) {
    v.setup?.();
    for (let i = 0; i < (opts.warmupOps ?? Math.min(1000, opts.opsPerRound)); i++) v.op(i);
  }
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      v.setup?.();
      const out = samples[v.name];
      for (let i = 0; i < opts.opsPerRound; i++) {
        const t0 = process.hrtime.bigint();
        v.op(i);
        out.push(Number(process.hrtime.bigint() - t0));
      }
    }
  }
  return Object.fromEntries(variants.map((v) => [v.name, summarise(samples[v.name])]));
}

/** Time a whole run (e.g. one trace replay) `repeat` times; returns milliseconds per run. */
export function timeRuns(run: () => void, repeat: number): { medianMs: number; p99Ms: number; runsMs: number[] } {
  const t: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    run();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const s = [...t].sort((a, b) => a - b);
  return { medianMs: percentile(s, 50), p99Ms: percentile(s, 99), runsMs: t };
}

export function machine() {
  const c = cpus();
  // the 1-minute load average is recorded because other work on a shared machine skews the figures
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: platform(), arch: arch(), node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 };
}

/** Where results go: $HETPOOL_BENCH_RESULTS, else bench/results/. */
const resultsDir = process.env.HETPOOL_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function writeResult(scenario: string, data: Record<string, unknown>): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${scenario}.json`);
  writeFileSync(file, `${JSON.stringify({ scenario, date: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return file;
}

export const fmt = (n: number, d = 1): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d }) : String(n));

// ── Benchmark.js suites, result rows and the printed table ───────────────────────────────────
/** Throughput of one variant measured by Benchmark.js. */
export interface SuiteStat {
  name: string;
  /** Operations per second (Benchmark.js `hz`). */
  hz: number;
  /** Relative margin of error, percent. */
  rme: number;
  samples: number;
}

/**
 * Throughput of variants in one Benchmark.js Suite (cycles interleave per variant as Benchmark.js
 * runs them in turn). `maxTime` is seconds per variant. Synchronous operations only.
 */
export function suite(variants: { name: string; fn: () => void }[], opts: { maxTime?: number; minSamples?: number } = {}): SuiteStat[] {
  const s = new Benchmark.Suite();
  for (const v of variants) s.add(v.name, v.fn, { maxTime: opts.maxTime ?? 2, minSamples: opts.minSamples ?? 5 });
  const out: SuiteStat[] = [];
  s.on('cycle', (e: Benchmark.Event) => {
    const b = e.target as unknown as Benchmark;
    out.push({ name: String(b.name), hz: b.hz, rme: b.stats.rme, samples: b.stats.sample.length });
  });
  s.run({ async: false });
  return out;
}

/** One line of the results table. */
export interface Row {
  scenario: string;
  variant: string;
  /** Median and p99 per operation, in `unit`. */
  median: number;
  p99?: number;
  unit: 'µs' | 'ms' | 's';
  opsPerSec?: number;
  /** A ratio between variants measured in the same run (e.g. ts ÷ wasm time), with what it compares. */
  ratio?: number;
  ratioOf?: string;
  /** Target in words ("≤ 1 s") and whether it was reached; absent when the scenario has none. */
  target?: string;
  reached?: boolean;
  note?: string;
}

/** Median-of-per-op samples in µs → a row. */
export function rowOf(scenario: string, variant: string, s: Stats, extra: Partial<Row> = {}): Row {
  return { scenario, variant, median: s.medianUs, p99: s.p99Us, unit: 'µs', opsPerSec: s.opsPerSec, ...extra };
}

/** CPU time (user + system) of this process in ms since `since`. */
export const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** Wall time of `f` in ms. */
export async function wallMs<T>(f: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

/** The table printed by bench/run.ts. */
export function formatTable(rows: Row[]): string {
  const head = ['scenario', 'variant', 'median', 'p99', 'ops/s', 'ratio', 'target', 'reached'];
  const cells = rows.map((r) => [
    r.scenario,
    r.variant,
    `${fmt(r.median, r.median < 10 ? 2 : 1)} ${r.unit}`,
    r.p99 === undefined ? '' : `${fmt(r.p99, r.p99 < 10 ? 2 : 1)} ${r.unit}`,
    r.opsPerSec === undefined ? '' : fmt(r.opsPerSec, 0),
    r.ratio === undefined ? '' : `${fmt(r.ratio, r.ratio < 1.1 && r.ratio > 0.9 ? 3 : 2)}×${r.ratioOf ? ` ${r.ratioOf}` : ''}`,
    r.target ?? '',
    r.reached === undefined ? '' : r.reached ? 'yes' : 'NO',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((x, i) => (i >= 2 && i <= 5 ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}
