/**
 * Heterogeneity-aware target allocation across device types (after Gavel, Narayanan et al.,
 * OSDI'20, §4.1 "max-min fairness" policy): tenants' workloads run at different speeds on
 * different device types (throughput T[j][k]); give each tenant a fractional allocation
 * x[j][k] of each type so that the lowest *normalised* throughput is as high as possible.
 *
 *   normalised_j = Σ_k T[j][k]·x[j][k] / base_j,   base_j = (w_j / Σw) · Σ_k T[j][k]·C_k
 *   (base_j: what tenant j would get with its weighted equal share of every device type)
 *
 *   maximise t  s.t.  Σ_k T[j][k]·x[j][k] ≥ t·base_j   (every tenant not yet frozen)
 *                     Σ_j x[j][k] ≤ C_k                 (device count of each type)
 *                     Σ_k x[j][k] ≤ demand_j            (a tenant wants at most this many devices)
 *                     x ≥ 0
 *
 * Water-filling: tenants whose demand is met are frozen at their level and the LP is solved
 * again for the others (at most one solve per tenant); a last solve maximises Σ normalised
 * throughput with every tenant held at ≥ its level (no one loses, spare devices are used).
 * Solved with GLPK (glpk.js) once per round, never per decision. Results are integers: milli of
 * a device per tenant and type (rounded down, so Σ never exceeds the count; see the round-off
 * allowance below).
 */
import GLPK from 'glpk.js/node';
import { HetpoolError } from '../model/errors.js';

export interface GavelTenant {
  id: string;
  weight?: number;
  /** Devices the tenant can use at most (its number of device-sized tasks). */
  demand: number;
  /** Throughput of the tenant's workload on one device of each type (any unit, same per tenant). */
  throughput: Record<string, number>;
}

export interface GavelInput {
  /** Device types and how many devices of each the pool has. */
  types: Array<{ id: string; count: number }>;
  tenants: GavelTenant[];
}

export interface GavelResult {
  /** tenant id → type id → milli of devices (1000 = one device). */
  allocation: Map<string, Map<string, number>>;
  /** tenant id → normalised throughput ×1000 (1000 = as good as its equal share). */
  normalised: Map<string, number>;
  /** LP solves used. */
  solves: number;
}

type Glpk = Awaited<ReturnType<typeof GLPK>>;
let glpk: Promise<Glpk> | undefined;
let loaded: Glpk | undefined;

/**
 * Load the GLPK solver (glpk.js instantiates its WebAssembly asynchronously; its `solve` is
 * synchronous). Once it resolved, `heterogeneityTargetsSync` may be used, e.g. inside a
 * synchronous scheduling loop between rounds.
 */
export async function loadGlpk(): Promise<void> {
  loaded ??= await (glpk ??= GLPK());
}

/** Solve the heterogeneity-aware max-min allocation. Rejects with HetpoolError on bad input. */
export async function heterogeneityTargets(input: GavelInput): Promise<GavelResult> {
  validate(input);
  await loadGlpk();
  return solveWith(loaded as Glpk, input);
}

/**
 * The same, synchronously: needs `await loadGlpk()` once before (else HetpoolError 'internal').
 * Throws HetpoolError on bad input.
 */
export function heterogeneityTargetsSync(input: GavelInput): GavelResult {
  validate(input);
  if (!loaded) throw new HetpoolError('internal', 'gavel', 'GLPK is not loaded yet: await loadGlpk() first');
  return solveWith(loaded, input);
}

function validate(input: GavelInput): void {
  input.types.forEach((t, k) => {
    if (!Number.isFinite(t.count) || t.count < 0) throw new HetpoolError('invalid-input', `types[${k}].count`, 'must be a number ≥ 0');
  });
  input.tenants.forEach((t, j) => {
    if (!(t.demand >= 0)) throw new HetpoolError('invalid-input', `tenants[${j}].demand`, 'must be a number ≥ 0');
    if (t.weight !== undefined && !(t.weight > 0)) throw new HetpoolError('invalid-input', `tenants[${j}].weight`, 'must be > 0');
    for (const [k, v] of Object.entries(t.throughput)) {
      if (!input.types.some((x) => x.id === k)) throw new HetpoolError('invalid-input', `tenants[${j}].throughput.${k}`, 'unknown device type');
      if (!(v >= 0)) throw new HetpoolError('invalid-input', `tenants[${j}].throughput.${k}`, 'must be a number ≥ 0');
    }
  });
}

function solveWith(g: Glpk, input: GavelInput): GavelResult {
  const J = input.tenants.length;
  const K = input.types.length;
  const T = (j: number, k: number): number => input.tenants[j].throughput[input.types[k].id] ?? 0;
  const W = input.tenants.reduce((s, t) => s + (t.weight ?? 1), 0);
  const base = input.tenants.map((t, j) => ((t.weight ?? 1) / W) * input.types.reduce((s, ty, k) => s + T(j, k) * ty.count, 0));
  const x = (j: number, k: number): string => `x${j}_${k}`;
  const frozen = new Map<number, number>(); // tenant → normalised level it keeps
  input.tenants.forEach((t, j) => {
    if (base[j] === 0 || t.demand === 0) frozen.set(j, 0);
  });

  const solve = (objective: 'level' | 'total'): { t: number; vars: Record<string, number> } => {
    const subjectTo: Parameters<Glpk['solve']>[0]['subjectTo'] = [];
    for (let k = 0; k < K; k++) {
      subjectTo.push({ name: `cap${k}`, vars: Array.from({ length: J }, (_, j) => ({ name: x(j, k), coef: 1 })), bnds: { type: g.GLP_UP, ub: input.types[k].count, lb: 0 } });
    }
    for (let j = 0; j < J; j++) {
      subjectTo.push({ name: `dem${j}`, vars: Array.from({ length: K }, (_, k) => ({ name: x(j, k), coef: 1 })), bnds: { type: g.GLP_UP, ub: input.tenants[j].demand, lb: 0 } });
      const tput = Array.from({ length: K }, (_, k) => ({ name: x(j, k), coef: T(j, k) }));
      const f = frozen.get(j);
      if (f !== undefined) {
        // keep the level reached (a hair below, so float round-off cannot make it infeasible)
        if (f > 0) subjectTo.push({ name: `keep${j}`, vars: tput, bnds: { type: g.GLP_LO, lb: f * base[j] * (1 - 1e-9), ub: 0 } });
      } else if (objective === 'level') {
        subjectTo.push({ name: `lvl${j}`, vars: [...tput, { name: 't', coef: -base[j] }], bnds: { type: g.GLP_LO, lb: 0, ub: 0 } });
      }
    }
    const vars = objective === 'level'
      ? [{ name: 't', coef: 1 }]
      : input.tenants.flatMap((_, j) => (base[j] > 0 ? Array.from({ length: K }, (_, k) => ({ name: x(j, k), coef: T(j, k) / base[j] })) : []));
    const res = g.solve({
      name: 'gavel',
      objective: { direction: g.GLP_MAX, name: 'obj', vars: vars.length ? vars : [{ name: x(0, 0), coef: 0 }] },
      subjectTo,
      bounds: objective === 'level' ? [{ name: 't', type: g.GLP_LO, lb: 0, ub: 0 }] : undefined,
    }, { msglev: g.GLP_MSG_OFF });
    if (res.result.status !== g.GLP_OPT && res.result.status !== g.GLP_FEAS) throw new HetpoolError('internal', 'gavel', `LP status ${res.result.status}`);
    return { t: res.result.vars.t ?? 0, vars: res.result.vars };
  };

  let solves = 0;
  let last: Record<string, number> = {};
  while (J > 0 && K > 0 && frozen.size < J) {
    const { t, vars } = solve('level');
    solves++;
    last = vars;
    // Freeze tenants whose demand is met: they cannot rise further. If none is, every remaining
    // tenant is held by capacity at level t: freeze them all.
    const open = input.tenants.map((_, j) => j).filter((j) => !frozen.has(j));
    const met = open.filter((j) => Array.from({ length: K }, (_, k) => vars[x(j, k)] ?? 0).reduce((s, v) => s + v, 0) >= input.tenants[j].demand - 1e-7);
    for (const j of met.length ? met : open) frozen.set(j, met.length ? levelOf(j, vars) : t);
  }
  if (J > 0 && K > 0) {
    last = solve('total').vars;
    solves++;
  }
  function levelOf(j: number, vars: Record<string, number>): number {
    if (base[j] === 0) return 0;
    let s = 0;
    for (let k = 0; k < K; k++) s += T(j, k) * (vars[x(j, k)] ?? 0);
    return s / base[j];
  }
  const allocation = new Map<string, Map<string, number>>();
  const normalised = new Map<string, number>();
  input.tenants.forEach((t, j) => {
    // floored with a 10⁻³-milli allowance for solver round-off (the keep-level constraints sit a
    // hair below the level): Σ over n < 1000 tenants still never exceeds the device count
    allocation.set(t.id, new Map(input.types.map((ty, k) => [ty.id, Math.floor((last[x(j, k)] ?? 0) * 1000 + 1e-3)])));
    normalised.set(t.id, Math.floor(levelOf(j, last) * 1000 + 1e-6));
  });
  return { allocation, normalised, solves };
}
