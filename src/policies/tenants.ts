/**
 * The tenant tree (organisation → team → queue) with guaranteed (min) and limit (max) quotas,
 * per-tenant usage, roles and budgets (§9.1b, §12b, §11.5a).
 *
 * Quota rules (documented with worked examples in docs/policies.md):
 * - Limit: a task is admitted only if, for its queue and every ancestor, usage + demand ≤ limit
 *   in every dimension (absent = unlimited).
 * - Guarantee: a tenant may always use up to its guarantee. Idle guaranteed quota is lent: a
 *   tenant may run beyond its guarantee (borrow) while its limits allow and the pool has room.
 *   Borrowed use is reclaimed by preemption when the lender needs it back (see preemption.ts).
 * - Validation: guarantee ≤ limit per tenant; Σ children's guarantees ≤ the parent's guarantee
 *   where the parent states one; ids unique; organisation > team > queue nesting; only leaves
 *   take tasks.
 * Every mutating call names an actor and is checked by RBAC first; a rejected call changes nothing.
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';
import type { Task } from '../model/types.js';
import { parseWith } from '../model/validate.js';
import { authorize, isAllowed, POOL_SCOPE, RoleBindingSchema, type Action, type RoleBinding } from './rbac.js';
import { ResourceSpace, ResourceVectorSchema, type ResourceVectorInput } from './resources.js';

export const TenantKindSchema = z.enum(['organisation', 'team', 'queue']);
export type TenantKind = z.infer<typeof TenantKindSchema>;
const KIND_DEPTH: Record<TenantKind, number> = { organisation: 0, team: 1, queue: 2 };

/** Device-hours a tenant (and its subtree) may consume per window. */
export const BudgetSchema = z.strictObject({
  deviceHours: z.number().min(0, 'must be ≥ 0'),
  windowHours: z.number().int('must be an integer').min(1, 'must be ≥ 1').max(24 * 366),
});
export type Budget = z.infer<typeof BudgetSchema>;

export interface TenantSpec {
  id: string;
  kind: TenantKind;
  weight?: number;
  guaranteed?: ResourceVectorInput;
  limit?: ResourceVectorInput;
  budget?: Budget;
  children?: TenantSpec[];
}

export const TenantSpecSchema: z.ZodType<TenantSpec> = z.lazy(() =>
  z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_" or "-"'),
    kind: TenantKindSchema,
    /** Fair-share weight (weighted DRF), default 1. */
    weight: z.number().int('must be an integer').min(1, 'must be ≥ 1').max(1_000_000).optional(),
    guaranteed: ResourceVectorSchema.optional(),
    limit: ResourceVectorSchema.optional(),
    budget: BudgetSchema.optional(),
    children: z.array(TenantSpecSchema).max(10_000).optional(),
  }),
);

export const TenantFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  tenants: z.array(TenantSpecSchema).min(1, 'must list at least one tenant'),
  roles: z.array(RoleBindingSchema).default([]),
});
export type TenantFile = z.infer<typeof TenantFileSchema>;
export type TenantFileInput = z.input<typeof TenantFileSchema>;

/** A tenant in the tree, with dense quota and usage vectors (see ResourceSpace). */
export interface Tenant {
  id: string;
  kind: TenantKind;
  weight: number;
  parent: Tenant | null;
  children: Tenant[];
  /** Dense, 0 where absent. */
  guaranteed: number[];
  /** Dimensions the guarantee states (a stated 0 counts: "guaranteed nothing of it"). */
  stated: boolean[];
  /** Dense, Infinity where absent. */
  limit: number[];
  /** Current use of the subtree (leaves' running tasks, summed up the tree). */
  usage: number[];
  budget?: Budget;
  spec: TenantSpec;
}

/** Where in the file a tenant sits, e.g. `tenants[0].children[1]`. */
type Located = { spec: TenantSpec; path: string; parent: string | null };

function flatten(specs: TenantSpec[], root: string, parent: string | null, out: Located[]): void {
  specs.forEach((s, i) => {
    const path = `${root}[${i}]`;
    out.push({ spec: s, path, parent });
    if (s.children) flatten(s.children, `${path}.children`, s.id, out);
  });
}

/** Structural checks zod cannot express; throws HetpoolError('invalid-input') naming the field. */
function checkTree(file: TenantFile, space: ResourceSpace, root: string): void {
  const all: Located[] = [];
  flatten(file.tenants, `${root}tenants`, null, all);
  const byId = new Map<string, Located>();
  const bad = (path: string, msg: string): never => {
    throw new HetpoolError('invalid-input', path, msg);
  };
  for (const t of all) {
    const prev = byId.get(t.spec.id);
    if (prev) bad(`${t.path}.id`, `duplicate tenant id "${t.spec.id}" (also ${prev.path})`);
    if (t.spec.id === POOL_SCOPE) bad(`${t.path}.id`, '"*" is reserved for the pool scope');
    byId.set(t.spec.id, t);
    const g = space.vector(t.spec.guaranteed, 0);
    const l = space.vector(t.spec.limit, Infinity);
    g.forEach((x, k) => {
      if (x > l[k]) bad(`${t.path}.guaranteed`, `${space.dims[k]} guarantee ${x} exceeds the limit ${l[k]}`);
    });
    const kids = t.spec.children ?? [];
    kids.forEach((c, i) => {
      if (KIND_DEPTH[c.kind] <= KIND_DEPTH[t.spec.kind]) bad(`${t.path}.children[${i}].kind`, `a ${c.kind} cannot sit under a ${t.spec.kind} (organisation > team > queue)`);
    });
    if (kids.length && t.spec.guaranteed) {
      const sum = new Array<number>(space.size).fill(0);
      for (const c of kids) space.vector(c.guaranteed, 0).forEach((x, k) => (sum[k] += x));
      const stated = space.vector(t.spec.guaranteed, -1);
      sum.forEach((x, k) => {
        if (stated[k] >= 0 && x > stated[k]) bad(`${t.path}.guaranteed`, `${space.dims[k]}: children's guarantees sum to ${x}, more than the ${stated[k]} guaranteed here`);
      });
    }
  }
  file.roles.forEach((r, i) => {
    if (r.tenant !== POOL_SCOPE && !byId.has(r.tenant)) bad(`${root}roles[${i}].tenant`, `unknown tenant "${r.tenant}"`);
  });
}

/** Parse and check a tenant file (JSON value). `root` prefixes error paths (e.g. a file name). */
export function parseTenantFile(value: unknown, root = ''): TenantFile {
  const file = parseWith(TenantFileSchema, value, root);
  const specs: TenantSpec[] = [];
  const walk = (s: TenantSpec[]): void => s.forEach((t) => (specs.push(t), walk(t.children ?? [])));
  walk(file.tenants);
  const space = new ResourceSpace(specs.flatMap((s) => [s.guaranteed, s.limit]));
  checkTree(file, space, root ? `${root}.` : '');
  return file;
}

/** Why a task may not be admitted under quotas, or null. */
export interface QuotaVerdict {
  tenant: string;
  dim: string;
  usage: number;
  demand: number;
  limit: number;
}

/** The live tenant tree: quotas, usage, roles. Mutations are RBAC-checked and atomic. */
export class TenantTree {
  private file: TenantFile;
  space!: ResourceSpace;
  private byId = new Map<string, Tenant>();
  /** Top-level tenants in file order. */
  roots: Tenant[] = [];

  constructor(file: TenantFileInput | TenantFile) {
    this.file = parseTenantFile(file);
    this.build();
  }

  private build(previous?: Map<string, Tenant>): void {
    const specs: TenantSpec[] = [];
    const walk = (s: TenantSpec[]): void => s.forEach((t) => (specs.push(t), walk(t.children ?? [])));
    walk(this.file.tenants);
    this.space = new ResourceSpace(specs.flatMap((s) => [s.guaranteed, s.limit]));
    this.byId = new Map();
    const make = (s: TenantSpec, parent: Tenant | null): Tenant => {
      const t: Tenant = {
        id: s.id, kind: s.kind, weight: s.weight ?? 1, parent, children: [], spec: s,
        guaranteed: this.space.vector(s.guaranteed, 0),
        stated: this.space.vector(s.guaranteed, -1).map((x) => x >= 0),
        limit: this.space.vector(s.limit, Infinity),
        usage: new Array<number>(this.space.size).fill(0),
        budget: s.budget,
      };
      this.byId.set(t.id, t);
      t.children = (s.children ?? []).map((c) => make(c, t));
      return t;
    };
    this.roots = this.file.tenants.map((s) => make(s, null));
    // Carry usage over a rebuild (quota edits keep what is running), re-indexed to the new space.
    if (previous) {
      for (const [id, old] of previous) {
        const t = this.byId.get(id);
        if (!t || t.children.length) continue;
        const oldSpace = this.usageSpace!;
        old.usage.forEach((x, k) => {
          const j = this.space.indexOf(oldSpace.dims[k]);
          if (j >= 0 && x) for (let a: Tenant | null = t; a; a = a.parent) a.usage[j] += x;
        });
      }
    }
    this.usageSpace = this.space;
  }
  private usageSpace?: ResourceSpace;

  /** The tenant, or throws HetpoolError('not-found'). */
  get(id: string): Tenant {
    const t = this.byId.get(id);
    if (!t) throw new HetpoolError('not-found', `tenants.${id}`, `unknown tenant "${id}"`);
    return t;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** All tenants, parents before children (pre-order). */
  all(): Tenant[] {
    const out: Tenant[] = [];
    const walk = (t: Tenant): void => (out.push(t), t.children.forEach(walk));
    this.roots.forEach(walk);
    return out;
  }

  /** The tenant and its ancestors, nearest first. */
  path(id: string): Tenant[] {
    const out: Tenant[] = [];
    for (let t: Tenant | null = this.get(id); t; t = t.parent) out.push(t);
    return out;
  }

  get roles(): readonly RoleBinding[] {
    return this.file.roles;
  }

  private ancestorsOf = (id: string): string[] => (this.byId.has(id) ? this.path(id).map((t) => t.id) : [id]);

  /** True when `actor` may perform `action` on tenant `target` (or `*`). */
  can(actor: string, action: Action, target: string): boolean {
    return isAllowed(this.file.roles, actor, action, target, this.ancestorsOf);
  }

  /** Throws HetpoolError('permission-denied') unless allowed. */
  authorize(actor: string, action: Action, target: string): void {
    authorize(this.file.roles, actor, action, target, this.ancestorsOf);
  }

  /**
   * First quota limit the demand would break for tenant `id` (its queue or an ancestor), or null.
   * Unknown tenants and non-leaf tenants are refused with a reason too (tasks go to queues).
   */
  check(id: string, demand: readonly number[]): QuotaVerdict | string | null {
    const t = this.byId.get(id);
    if (!t) return `unknown tenant "${id}"`;
    if (t.children.length) return `tenant "${id}" is a ${t.kind} with children: submit to one of its queues`;
    for (let a: Tenant | null = t; a; a = a.parent) {
      for (let k = 0; k < demand.length; k++) {
        if (demand[k] > 0 && a.usage[k] + demand[k] > a.limit[k]) {
          return { tenant: a.id, dim: this.space.dims[k], usage: a.usage[k], demand: demand[k], limit: a.limit[k] };
        }
      }
    }
    return null;
  }

  /**
   * Quota check of a task before placement, when the device model it lands on is not known yet.
   * Besides its kind (and its model, when it pins one), the task is checked against every
   * `kind:model` quota of a model it could land on (all models of its kind when it pins none),
   * so charging the bound device's model afterwards can never break a limit. Conservative: a
   * task may be held by one model's limit although another model has room; pinning `models`
   * avoids that. Returns a hold reason or null.
   */
  checkTask(task: Pick<Task, 'tenant' | 'cpuMilli' | 'memoryMiB' | 'accel'>): string | null {
    const base = this.check(task.tenant, this.space.demandOf(task));
    if (base) return TenantTree.reason(base);
    const a = task.accel;
    if (!a || a.models?.length === 1) return null;
    for (const key of this.space.accelKeys) {
      if (!key.startsWith(`${a.kind}:`)) continue;
      const model = key.slice(a.kind.length + 1);
      if (a.models && !a.models.includes(model)) continue;
      const v = this.check(task.tenant, this.space.demandOf(task, model));
      if (v) return `${TenantTree.reason(v)} (it could land on ${model}; pin other models to run elsewhere)`;
    }
    return null;
  }

  /** Render a check result as a hold reason. */
  static reason(v: QuotaVerdict | string): string {
    return typeof v === 'string' ? v : `quota: ${v.tenant} ${v.dim} ${v.usage} + ${v.demand} > limit ${v.limit}`;
  }

  /** Add (sign 1) or remove (sign -1) a running task's demand along its tenant's path. */
  charge(id: string, demand: readonly number[], sign: 1 | -1): void {
    for (let a: Tenant | null = this.get(id); a; a = a.parent) {
      for (let k = 0; k < demand.length; k++) a.usage[k] += sign * demand[k];
    }
  }

  /**
   * A demand vector by dimension name (non-zero entries), so a charge survives a quota edit that
   * changes the resource space (e.g. a new `kind:model` key).
   */
  named(v: readonly number[]): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    v.forEach((x, k) => {
      if (x !== 0) out.push([this.space.dims[k], x]);
    });
    return out;
  }

  /** Back from names to a vector of the current space; dimensions it no longer has are dropped. */
  fromNamed(named: ReadonlyArray<readonly [string, number]>): number[] {
    const v = new Array<number>(this.space.size).fill(0);
    for (const [dim, x] of named) {
      const k = this.space.indexOf(dim);
      if (k >= 0) v[k] += x;
    }
    return v;
  }

  /**
   * Is a running task with this demand on borrowed quota? Only dimensions the queue's guarantee
   * states count: the task is borrowed when its queue uses more than its guarantee in a stated
   * dimension the task holds, or when the task holds no stated dimension at all (nothing of
   * what it uses is guaranteed).
   */
  isBorrowing(id: string, demand: readonly number[]): boolean {
    const t = this.get(id);
    let touches = false;
    for (let k = 0; k < demand.length; k++) {
      if (demand[k] <= 0 || !t.stated[k]) continue;
      touches = true;
      if (t.usage[k] > t.guaranteed[k]) return true;
    }
    return !touches;
  }

  /**
   * Would the queue stay within its guarantee after adding this demand (the right to reclaim)?
   * The demand must touch a stated dimension, and stay within the guarantee in every stated
   * dimension it touches.
   */
  withinGuarantee(id: string, demand: readonly number[]): boolean {
    const t = this.byId.get(id);
    if (!t || t.children.length) return false;
    let touches = false;
    for (let k = 0; k < demand.length; k++) {
      if (demand[k] <= 0 || !t.stated[k]) continue;
      touches = true;
      if (t.usage[k] + demand[k] > t.guaranteed[k]) return false;
    }
    return touches;
  }

  /** Change a tenant's guarantee and/or limit. RBAC 'set-quota'; validated as a whole tree. */
  setQuota(actor: string, id: string, quota: { guaranteed?: ResourceVectorInput; limit?: ResourceVectorInput }): void {
    this.get(id);
    this.authorize(actor, 'set-quota', id);
    this.mutate((file) => {
      const s = findSpec(file.tenants, id)!;
      if (quota.guaranteed !== undefined) s.guaranteed = quota.guaranteed;
      if (quota.limit !== undefined) s.limit = quota.limit;
    });
  }

  /** Set or clear a tenant's budget. RBAC 'set-budget'. */
  setBudget(actor: string, id: string, budget: Budget | undefined): void {
    this.get(id);
    this.authorize(actor, 'set-budget', id);
    this.mutate((file) => {
      const s = findSpec(file.tenants, id)!;
      if (budget) s.budget = budget;
      else delete s.budget;
    });
  }

  /** Add a tenant under `parentId` (or at the top with `*`). RBAC 'manage-tenants' on the parent. */
  addTenant(actor: string, parentId: string, spec: TenantSpec): void {
    if (parentId !== POOL_SCOPE) this.get(parentId);
    this.authorize(actor, 'manage-tenants', parentId);
    if (parentId !== POOL_SCOPE && this.get(parentId).children.length === 0 && this.get(parentId).usage.some((x) => x > 0)) {
      throw new HetpoolError('conflict', `tenants.${parentId}`, 'a queue with running tasks cannot get children');
    }
    this.mutate((file) => {
      if (parentId === POOL_SCOPE) file.tenants.push(spec);
      else {
        const p = findSpec(file.tenants, parentId)!;
        (p.children ??= []).push(spec);
      }
    });
  }

  /** Grant a role. RBAC 'grant' on the binding's tenant. */
  grant(actor: string, binding: RoleBinding): void {
    this.authorize(actor, 'grant', binding.tenant);
    this.mutate((file) => file.roles.push(binding));
  }

  /** Apply `edit` to a copy, validate the whole file, then swap it in (nothing changes on error). */
  private mutate(edit: (file: TenantFile) => void): void {
    const copy = structuredClone(this.file);
    edit(copy);
    const next = parseTenantFile(copy);
    const previous = this.byId;
    this.file = next;
    this.build(previous);
  }

  /** The tree as a tenant file (round-trips through parseTenantFile). */
  toJSON(): TenantFile {
    return structuredClone(this.file);
  }
}

function findSpec(specs: TenantSpec[], id: string): TenantSpec | undefined {
  for (const s of specs) {
    if (s.id === id) return s;
    const c = findSpec(s.children ?? [], id);
    if (c) return c;
  }
  return undefined;
}
