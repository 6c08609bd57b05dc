/**
 * Cloud–edge–device co-scheduling rules (§9.2e, §9.1c): declarative, validated JSON that decides
 * the form (hardware/cloud/edge) and site of a task from its data-source site, latency budget,
 * urgency and class, using network latency from the topology. Every decision is explained: which
 * rules fired and what each candidate scored, part by part.
 *
 * Scoring (docs/topology.md "Rules"): every rule whose `when` matches fires, in file order.
 *   require.form / require.site / require.maxNetworkLatencyMs  → candidates outside are ineligible
 *   prefer.form / prefer.site  → +weight for a match
 *   prefer.cheapest            → +round(weight · minPrice / price)  (price 0 → +weight)
 *   prefer.nearest             → +round(weight · (minLat + 1 ms) / (lat + 1 ms))
 * Built in: a task with a latency budget and a known data source never goes where the network
 * latency from the source exceeds the budget. Winner: highest score, then lowest network
 * latency, then lowest price, then input order.
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';
import { FormSchema } from '../model/schema.js';
import type { Form, Task } from '../model/types.js';
import { parseWith } from '../model/validate.js';
import type { TopologyGraph } from './graph.js';

export const UrgencySchema = z.enum(['low', 'normal', 'high']);
export type Urgency = z.infer<typeof UrgencySchema>;

const Compare = z.strictObject({
  lt: z.number().optional(),
  lte: z.number().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  eq: z.number().optional(),
});
const oneOrMany = <T extends z.ZodType>(s: T) => z.union([s, z.array(s).min(1)]);

/** One rule: when the task matches `when`, apply `require` (filters) and `prefer` (points). */
export const PlacementRuleSchema = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  when: z.strictObject({
    /** Compare the task's latency budget (ms); a task without one never matches. */
    latencyBudgetMs: Compare.optional(),
    urgency: oneOrMany(UrgencySchema).optional(),
    class: oneOrMany(z.string().min(1)).optional(),
    /** A site id the data comes from, or `{ exists }` to test whether the task names one. */
    dataSource: z.union([z.string().min(1), z.strictObject({ exists: z.boolean() })]).optional(),
    /** Accelerator kind the task asks for (`cpu` when none). */
    kind: oneOrMany(z.enum(['cpu', 'gpu', 'npu', 'fpga', 'asic'])).optional(),
  }).default({}),
  prefer: z.strictObject({
    form: oneOrMany(FormSchema).optional(),
    site: oneOrMany(z.string().min(1)).optional(),
    cheapest: z.boolean().optional(),
    nearest: z.boolean().optional(),
  }).optional(),
  require: z.strictObject({
    form: oneOrMany(FormSchema).optional(),
    site: oneOrMany(z.string().min(1)).optional(),
    maxNetworkLatencyMs: z.number().min(0).optional(),
  }).optional(),
  /** Points a preference is worth (default 50). */
  weight: z.number().int().min(0).max(1000).default(50),
}).refine((r) => r.prefer !== undefined || r.require !== undefined, { message: 'a rule needs `prefer` or `require`', path: ['prefer'] });

/** A rules file. */
export const PlacementRulesSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  rules: z.array(PlacementRuleSchema).max(1000),
});
export type PlacementRule = z.infer<typeof PlacementRuleSchema>;
export type PlacementRules = z.infer<typeof PlacementRulesSchema>;
export type PlacementRulesInput = z.input<typeof PlacementRulesSchema>;

/** Rules objects already validated (so hot callers do not re-validate). */
const parsed = new WeakSet<object>();

/** Validate a rules document (`rules[2].when.urgency: …` on error). */
export function parsePlacementRules(input: unknown, root = ''): PlacementRules {
  return parseWith(PlacementRulesSchema, input, root);
}

/** JSON Schema of the rules file (for editors and docs/placement-rules.schema.json). */
export function placementRulesJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://hetpool.dev/schema/placement-rules.schema.json',
    title: 'hetpool placement rules',
    description: 'Cloud–edge–device placement rules (docs/topology.md#rules): every rule whose `when` matches a task fires; `require` filters candidates, `prefer` adds `weight` points.',
    ...(z.toJSONSchema(PlacementRulesSchema, { io: 'input' }) as Record<string, unknown>),
  };
}

/** What rules look at in a task. */
export interface RuleTask {
  id: string;
  dataSource?: string;
  latencyBudgetMs?: number;
  urgency?: Urgency;
  class?: string;
  kind?: 'cpu' | 'gpu' | 'npu' | 'fpga' | 'asic';
}

/** Task labels that carry rule inputs. */
export const RuleLabels = {
  dataSource: 'hetpool.io/data-source',
  latencyBudgetMs: 'hetpool.io/latency-budget-ms',
  urgency: 'hetpool.io/urgency',
} as const;

/** Rule inputs of a model task: labels `hetpool.io/data-source`, `/latency-budget-ms`, `/urgency`. */
export function ruleTaskOf(task: Task): RuleTask {
  const l = task.labels ?? {};
  const out: RuleTask = { id: task.id, kind: task.accel?.kind ?? 'cpu' };
  if (task.class) out.class = task.class;
  if (l[RuleLabels.dataSource]) out.dataSource = l[RuleLabels.dataSource];
  const b = l[RuleLabels.latencyBudgetMs];
  if (b !== undefined) {
    const v = Number(b);
    if (!(Number.isFinite(v) && v >= 0)) throw new HetpoolError('invalid-input', `task.labels.${RuleLabels.latencyBudgetMs}`, `must be a number of ms ≥ 0, got "${b}"`);
    out.latencyBudgetMs = v;
  }
  const u = l[RuleLabels.urgency];
  if (u !== undefined) out.urgency = parseWith(UrgencySchema, u, `task.labels.${RuleLabels.urgency}`);
  return out;
}

/** A place the task could go: a node or a whole site. */
export interface SiteCandidate {
  /** Node id (or site id when deciding per site). */
  id: string;
  site?: string;
  form: Form;
  pricePerHour?: number;
}

/** One candidate's outcome, with its score broken down. */
export interface CandidateVerdict {
  id: string;
  site?: string;
  form: Form;
  networkLatencyMs?: number;
  pricePerHour?: number;
  eligible: boolean;
  /** Why not eligible. */
  reason?: string;
  score: number;
  parts: { rule: string; points: number; why: string }[];
}

/** A decision and its explanation. */
export interface RuleDecision {
  task: string;
  fired: string[];
  chosen?: string;
  candidates: CandidateVerdict[];
}

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function cmp(c: z.infer<typeof Compare>, v: number): boolean {
  return (c.lt === undefined || v < c.lt) && (c.lte === undefined || v <= c.lte) && (c.gt === undefined || v > c.gt) && (c.gte === undefined || v >= c.gte) && (c.eq === undefined || v === c.eq);
}

/** Whether rule `r` applies to task `t`. */
export function ruleMatches(r: PlacementRule, t: RuleTask): boolean {
  const w = r.when;
  if (w.latencyBudgetMs && (t.latencyBudgetMs === undefined || !cmp(w.latencyBudgetMs, t.latencyBudgetMs))) return false;
  if (w.urgency && !asList(w.urgency)!.includes(t.urgency ?? 'normal')) return false;
  if (w.class && (t.class === undefined || !asList(w.class)!.includes(t.class))) return false;
  if (w.kind && !asList(w.kind)!.includes(t.kind ?? 'cpu')) return false;
  if (w.dataSource !== undefined) {
    if (typeof w.dataSource === 'string') {
      if (t.dataSource !== w.dataSource) return false;
    } else if ((t.dataSource !== undefined) !== w.dataSource.exists) return false;
  }
  return true;
}

/**
 * Network latency (ms) from the task's data source to each candidate, from topology paths: the
 * candidate's node vertex when the topology has it, else its site (`<site>` or `site:<site>`).
 */
export function networkLatencyMs(g: TopologyGraph | undefined, source: string | undefined, c: SiteCandidate): number | undefined {
  if (!g || source === undefined) return undefined;
  const resolve = (id: string): string | undefined => (g.slotOf(id) !== undefined ? id : g.slotOf(`site:${id}`) !== undefined ? `site:${id}` : undefined);
  const from = resolve(source);
  if (!from) return undefined;
  const to = g.slotOf(c.id) !== undefined ? c.id : c.site !== undefined ? resolve(c.site) : undefined;
  if (!to) return undefined;
  const p = g.path(from, to);
  return p ? p.latencyUs / 1000 : Infinity;
}

/**
 * Decide where `task` goes among `candidates` under `rules`, with the network latencies taken
 * from `topology` (optional; or from `latencyOf`, e.g. a cached lookup). Pure: changes nothing.
 */
export function decidePlacement(
  rulesInput: unknown, task: RuleTask, candidates: readonly SiteCandidate[], topology?: TopologyGraph,
  latencyOf: (task: RuleTask, c: SiteCandidate) => number | undefined = (t, c) => networkLatencyMs(topology, t.dataSource, c),
): RuleDecision {
  const rules = typeof rulesInput === 'object' && rulesInput !== null && parsed.has(rulesInput) ? (rulesInput as PlacementRules) : parsePlacementRules(rulesInput);
  parsed.add(rules);
  const fired = rules.rules.map((r, i) => ({ r, name: r.name ?? `rules[${i}]` })).filter(({ r }) => ruleMatches(r, task));
  const latCache = new Map<string, number | undefined>();
  const verdicts: CandidateVerdict[] = candidates.map((c) => {
    const key = `${c.id}\u0000${c.site ?? ''}`;
    if (!latCache.has(key)) latCache.set(key, latencyOf(task, c));
    const lat = latCache.get(key);
    const v: CandidateVerdict = { id: c.id, form: c.form, eligible: true, score: 0, parts: [] };
    if (c.site !== undefined) v.site = c.site;
    if (lat !== undefined) v.networkLatencyMs = lat;
    if (c.pricePerHour !== undefined) v.pricePerHour = c.pricePerHour;
    if (task.latencyBudgetMs !== undefined && lat !== undefined && lat > task.latencyBudgetMs) {
      v.eligible = false;
      v.reason = lat === Infinity ? `no network path from ${task.dataSource}` : `network latency ${lat} ms from ${task.dataSource} exceeds the budget of ${task.latencyBudgetMs} ms`;
    }
    return v;
  });
  // Filters first, so that relative preferences (cheapest, nearest) compare eligible candidates only.
  for (const { r, name } of fired) {
    if (!r.require) continue;
    const forms = asList(r.require.form);
    const sites = asList(r.require.site);
    for (const v of verdicts) {
      if (!v.eligible) continue;
      if (forms && !forms.includes(v.form)) v.reason = `rule "${name}" requires form ${forms.join('|')}`;
      else if (sites && (v.site === undefined || !sites.includes(v.site))) v.reason = `rule "${name}" requires site ${sites.join('|')}`;
      else if (r.require.maxNetworkLatencyMs !== undefined && !(v.networkLatencyMs !== undefined && v.networkLatencyMs <= r.require.maxNetworkLatencyMs)) {
        v.reason = `rule "${name}" requires network latency ≤ ${r.require.maxNetworkLatencyMs} ms (${v.networkLatencyMs ?? 'unknown'})`;
      } else continue;
      v.eligible = false;
    }
  }
  const eligible = verdicts.filter((v) => v.eligible);
  const prices = eligible.map((v) => v.pricePerHour).filter((p): p is number => p !== undefined);
  const minPrice = prices.length ? Math.min(...prices) : undefined;
  const lats = eligible.map((v) => v.networkLatencyMs).filter((l): l is number => l !== undefined && l !== Infinity);
  const minLat = lats.length ? Math.min(...lats) : undefined;
  for (const { r, name } of fired) {
    const p = r.prefer;
    if (!p) continue;
    const forms = asList(p.form);
    const sites = asList(p.site);
    for (const v of eligible) {
      const add = (points: number, why: string): void => {
        v.parts.push({ rule: name, points, why });
        v.score += points;
      };
      if (forms && forms.includes(v.form)) add(r.weight, `form ${v.form} preferred`);
      if (sites && v.site !== undefined && sites.includes(v.site)) add(r.weight, `site ${v.site} preferred`);
      if (p.cheapest && minPrice !== undefined && v.pricePerHour !== undefined) {
        const pts = v.pricePerHour === 0 ? r.weight : Math.round((r.weight * minPrice) / v.pricePerHour);
        add(pts, `price ${v.pricePerHour}/h vs cheapest ${minPrice}/h`);
      }
      if (p.nearest && minLat !== undefined && v.networkLatencyMs !== undefined && v.networkLatencyMs !== Infinity) {
        add(Math.round((r.weight * (minLat + 1)) / (v.networkLatencyMs + 1)), `network latency ${v.networkLatencyMs} ms vs nearest ${minLat} ms`);
      }
    }
  }
  let best: CandidateVerdict | undefined;
  for (const v of eligible) {
    if (!best) best = v;
    else if (v.score !== best.score) {
      if (v.score > best.score) best = v;
    } else {
      const lv = v.networkLatencyMs ?? Infinity;
      const lb = best.networkLatencyMs ?? Infinity;
      if (lv !== lb) {
        if (lv < lb) best = v;
      } else if ((v.pricePerHour ?? Infinity) < (best.pricePerHour ?? Infinity)) best = v;
    }
  }
  const d: RuleDecision = { task: task.id, fired: fired.map((f) => f.name), candidates: verdicts };
  if (best) d.chosen = best.id;
  return d;
}
