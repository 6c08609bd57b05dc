/**
 * The sizing MILP, solved with GLPK (glpk.js): choose an integer count x_t of every node type t
 * to minimise Σ price_t·x_t subject to, for every demand group g and dimension d with demand,
 *
 *     Σ_{t serves g} supply_t(g, d) · x_t  ≥  peak_g(d) · (1 + headroom) / targetAllocation
 *
 * and owned_t ≤ x_t ≤ max_t. The LP relaxation (x real) is solved too and reported as a lower
 * bound on the cost. Units in the rows are cores, GiB and devices, so coefficients stay near 1.
 */
import GLPK from 'glpk.js/node';
import { HetpoolError } from '../../model/index.js';
import type { PriceCatalog } from './catalog.js';
import { DIMS, type Demand } from './demand.js';

type Glpk = Awaited<ReturnType<typeof GLPK>>;
let glpk: Promise<Glpk> | undefined;
/** The GLPK instance, loaded once per process. */
export const loadGlpk = (): Promise<Glpk> => (glpk ??= GLPK());

/** Scale of each dimension in the rows: milli-cores → cores, MiB → GiB, milli → devices. */
const SCALE: Record<(typeof DIMS)[number], number> = { cpuMilli: 1000, memoryMiB: 1024, deviceMilli: 1000, deviceMemoryMiB: 1024 };

/** Options of {@link sizeCluster}. */
export interface SizeOptions {
  /** Peak demand may fill at most this share of capacity, 0 < a ≤ 1 (default 1). */
  targetAllocation?: number;
  /** Extra capacity for fragmentation, ≥ 0 (default 0). */
  headroom?: number;
  /** More headroom for some groups, by group key (added to `headroom`). */
  groupHeadroom?: Record<string, number>;
  /** GLPK time limit, seconds (default 30). */
  timeLimit?: number;
}

/** The answer of the MILP. */
export interface Sizing {
  /** Nodes per type, in catalogue order. */
  counts: number[];
  /** Σ price × count, per hour (owned nodes included). */
  cost: number;
  /** The LP relaxation's cost: no integer plan can cost less. */
  lpBound: number;
  /** 'optimal', or 'feasible' when GLPK stopped at the time limit with an integer plan in hand. */
  status: 'optimal' | 'feasible';
  /** Rows whose left side equals the right side within 1e-6: what limits the plan. */
  binding: string[];
}

/** Solve the sizing MILP; throws HetpoolError('invalid-input') when no plan can meet the demand. */
export async function sizeCluster(demand: Demand, catalog: PriceCatalog, options: SizeOptions = {}): Promise<Sizing> {
  const a = options.targetAllocation ?? 1;
  const h = options.headroom ?? 0;
  if (!(a > 0 && a <= 1)) throw new HetpoolError('invalid-input', 'targetAllocation', 'must be a number in (0, 1]');
  if (!(h >= 0 && Number.isFinite(h))) throw new HetpoolError('invalid-input', 'headroom', 'must be a finite number ≥ 0');
  const g = await loadGlpk();
  const types = catalog.nodeTypes;
  const vars = types.map((_, i) => `x${i}`);
  const rows: Array<{ name: string; label: string; coefs: number[]; rhs: number }> = [];
  for (const [gi, grp] of demand.groups.entries()) {
    for (const d of DIMS) {
      const need = grp.peak[d];
      if (need <= 0) continue;
      const coefs = types.map((t) => (grp.serves(t) ? grp.supply(t)[d] / SCALE[d] : 0));
      const rhs = ((need / SCALE[d]) * (1 + h + (options.groupHeadroom?.[grp.key] ?? 0))) / a;
      if (!coefs.some((c) => c > 0)) throw new HetpoolError('invalid-input', 'catalog', `no node type supplies ${d} for "${grp.key}" (${grp.tasks} tasks)`);
      rows.push({ name: `g${gi}_${d}`, label: `${grp.key}: ${d}`, coefs, rhs });
    }
  }
  const bounds = types.map((t, i) => {
    const lb = t.owned ?? 0;
    if (t.max === undefined) return { name: vars[i], type: g.GLP_LO, lb, ub: 0 };
    return { name: vars[i], type: t.max === lb ? g.GLP_FX : g.GLP_DB, lb, ub: t.max };
  });
  const lp = {
    name: 'hetpool-plan',
    objective: { direction: g.GLP_MIN, name: 'cost', vars: types.map((t, i) => ({ name: vars[i], coef: t.pricePerHour })) },
    subjectTo: rows.map((r) => ({ name: r.name, vars: r.coefs.flatMap((c, i) => (c > 0 ? [{ name: vars[i], coef: c }] : [])), bnds: { type: g.GLP_LO, lb: r.rhs, ub: 0 } })),
    bounds,
  };
  const opts = { msglev: g.GLP_MSG_OFF, presol: true, tmlim: options.timeLimit ?? 30 };
  const relaxed = g.solve(lp, opts);
  if (relaxed.result.status !== g.GLP_OPT) throw new HetpoolError('invalid-input', 'catalog', 'no mix of node types meets the demand within the types\' max counts');
  const res = g.solve({ ...lp, generals: vars }, opts);
  const st = res.result.status;
  if (st !== g.GLP_OPT && st !== g.GLP_FEAS) throw new HetpoolError('invalid-input', 'catalog', 'no integer mix of node types meets the demand within the types\' max counts');
  const counts = vars.map((v) => Math.round(res.result.vars[v] ?? 0));
  const cost = types.reduce((s, t, i) => s + t.pricePerHour * counts[i], 0);
  const binding = rows.filter((r) => Math.abs(r.coefs.reduce((s, c, i) => s + c * counts[i], 0) - r.rhs) < 1e-6).map((r) => r.label);
  return { counts, cost: Math.round(cost * 1e6) / 1e6, lpBound: Math.round(relaxed.result.z * 1e6) / 1e6, status: st === g.GLP_OPT ? 'optimal' : 'feasible', binding };
}
