/**
 * Summaries of replays over seeds: mean and sample standard deviation at the study's report
 * points (90, 95, 100, 110, 120, 130% arrived), beside the published figures where known.
 */
import type { ReplayPolicy } from './policies.js';
import type { ReplayRun } from './replay.js';

/** The arrived-workload points of the study's table. */
export const REPORT_POINTS = [90, 95, 100, 110, 120, 130] as const;

/** Mean and sample standard deviation (n − 1); std is 0 for one value. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/** One policy's figures over its seeds. */
export interface PolicySummary {
  policy: string;
  seeds: number[];
  /** GPU allocation ratio at 130%: mean, sample std, published mean (null when the study has none). */
  mean: number;
  std: number;
  published: number | null;
  publishedStd: number | null;
  /** Allocation ratio at each report point. */
  at: Record<string, { mean: number; std: number; published: number | null }>;
  /** Fragmentation amount at 130%. */
  fragmentationAmount: { mean: number; std: number; published: number | null };
  failed: number;
  decisionsPerSecond: number;
}

/** Summarise `runs` of `policy`. */
export function summarise(policy: ReplayPolicy, runs: readonly ReplayRun[]): PolicySummary {
  const mine = runs.filter((r) => r.policy === policy.name);
  const at: PolicySummary['at'] = {};
  for (const x of REPORT_POINTS) {
    const { mean, std } = meanStd(mine.map((r) => r.allocationRatio[x] ?? Number.NaN));
    const pub = policy.published?.[String(x) as keyof NonNullable<ReplayPolicy['published']>];
    at[String(x)] = { mean, std, published: pub ? pub[0] : null };
  }
  const frag = meanStd(mine.map((r) => r.fragmentationAmount[130] ?? Number.NaN));
  return {
    policy: policy.name,
    seeds: mine.map((r) => r.seed),
    mean: at['130'].mean,
    std: at['130'].std,
    published: policy.published ? policy.published['130'][0] : null,
    publishedStd: policy.published ? policy.published['130'][1] : null,
    at,
    fragmentationAmount: { ...frag, published: policy.publishedFragmentation ?? null },
    failed: meanStd(mine.map((r) => r.failed)).mean,
    decisionsPerSecond: Math.round(meanStd(mine.map((r) => r.decisionsPerSecond)).mean),
  };
}

/** Mean curve across runs (index = arrived %), nulls skipped. */
export function meanCurve(curves: ReadonlyArray<ReadonlyArray<number | null>>): Array<number | null> {
  const len = curves.reduce((m, c) => Math.max(m, c.length), 0);
  const out: Array<number | null> = [];
  for (let x = 0; x < len; x++) {
    let s = 0;
    let k = 0;
    for (const c of curves) {
      const v = c[x];
      if (v !== null && v !== undefined) {
        s += v;
        k++;
      }
    }
    out.push(k > 0 ? s / k : null);
  }
  return out;
}
