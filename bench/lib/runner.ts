/** The contract between bench/run.ts and the runners in bench/runners/. */
import type { Scenario } from '../scenarios.js';
import type { Row } from './harness.js';

/** What a runner returns: table rows and the data written to bench/results/<scenario>.json. */
export interface RunnerOutput {
  rows: Row[];
  data: Record<string, unknown>;
}

export type Runner = (s: Scenario) => Promise<RunnerOutput>;

/** A numeric parameter (throws on a missing or non-numeric one: scenarios are data, typos must fail). */
export function num(s: Scenario, key: string): number {
  const v = Number(s.params[key]);
  if (!Number.isFinite(v)) throw new Error(`scenario ${s.name}: parameter ${key} must be a number (got ${String(s.params[key])})`);
  return v;
}

/** A string parameter. */
export function str(s: Scenario, key: string): string {
  const v = s.params[key];
  if (v === undefined) throw new Error(`scenario ${s.name}: parameter ${key} is missing`);
  return String(v);
}
