/**
 * Priority classes, aging, earliest-deadline-first and time windows (§9.1a).
 *
 * - A task's base priority is its class's priority when it names a class, else `task.priority`.
 * - Aging (so low priority is not starved): every `aging.stepSeconds` a task has waited adds
 *   `aging.boost`, up to `aging.maxBoost`. Effective = base + min(maxBoost, ⌊wait/step⌋·boost).
 * - Queue order: effective priority descending; then earliest deadline first (no deadline =
 *   last); then arrival; then id. EDF orders tasks of equal effective priority, i.e. within a class.
 * - Deadlines: a task whose `now + duration > deadline` can no longer make it and is flagged
 *   (it still runs: a late result is the caller's call to drop).
 * - Windows: a class may run only in some hours of the day ("off-peak": 22 → 6 wraps midnight),
 *   evaluated on the caller's clock shifted by `utcOffsetMinutes`.
 * Times are seconds on the caller's clock (the simulator's clock, or Unix seconds).
 */
import { z } from 'zod';
import { HetpoolError } from '../model/errors.js';
import type { Task } from '../model/types.js';
import { parseWith } from '../model/validate.js';

const hour = z.number().int('must be an integer').min(0, 'must be in 0..24').max(24, 'must be in 0..24');

export const WindowSchema = z.strictObject({ fromHour: hour, toHour: hour }).refine((w) => w.fromHour !== w.toHour, { message: 'fromHour and toHour must differ (omit the window to allow all day)', path: ['toHour'] });

export const PriorityClassSchema = z.strictObject({
  name: z.string().min(1).max(64),
  priority: z.number().int().min(-1_000_000).max(1_000_000),
  /** May tasks of this class be evicted by preemption? */
  preemptible: z.boolean().default(true),
  /** Tasks of this class are urgent: they may preempt (emergency rule, §9.2d). */
  emergency: z.boolean().default(false),
  /** Hours of the day this class may start in; absent = any time. */
  window: WindowSchema.optional(),
});

export const PriorityPolicySchema = z.strictObject({
  classes: z.array(PriorityClassSchema).max(256).default([]),
  aging: z.strictObject({
    stepSeconds: z.number().int().min(1).default(600),
    boost: z.number().int().min(0).default(1),
    maxBoost: z.number().int().min(0).default(100),
  }).default({ stepSeconds: 600, boost: 1, maxBoost: 100 }),
  /** Emergency rule: tasks at or above this effective priority are urgent (may preempt). */
  emergencyPriority: z.number().int().optional(),
  utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60).default(0),
}).superRefine((p, ctx) => {
  const seen = new Map<string, number>();
  p.classes.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['classes', i, 'name'], message: `duplicate class "${c.name}" (also classes[${seen.get(c.name)}])` });
    seen.set(c.name, i);
  });
});
export type PriorityPolicy = z.infer<typeof PriorityPolicySchema>;
export type PriorityPolicyInput = z.input<typeof PriorityPolicySchema>;
export type PriorityClass = z.infer<typeof PriorityClassSchema>;

/** The fields of a task the priority rules read. */
export type PriorityFields = Pick<Task, 'id' | 'priority' | 'class' | 'deadline' | 'arrival' | 'duration'>;

/** Compiled priority rules. */
export class PriorityRules {
  readonly policy: PriorityPolicy;
  private readonly classes: Map<string, PriorityClass>;

  constructor(policy: PriorityPolicyInput = {}, root = 'priority') {
    this.policy = parseWith(PriorityPolicySchema, policy, root);
    this.classes = new Map(this.policy.classes.map((c) => [c.name, c]));
  }

  classOf(task: PriorityFields): PriorityClass | undefined {
    return task.class === undefined ? undefined : this.classes.get(task.class);
  }

  /** Throws HetpoolError naming the field when a task names an unknown class. */
  checkTask(task: PriorityFields, path = 'task'): void {
    if (task.class !== undefined && this.classes.size > 0 && !this.classes.has(task.class)) {
      throw new HetpoolError('invalid-input', `${path}.class`, `unknown priority class "${task.class}" (known: ${[...this.classes.keys()].join(', ')})`);
    }
  }

  /** Base priority: the class's, else the task's own. */
  base(task: PriorityFields): number {
    return this.classOf(task)?.priority ?? task.priority;
  }

  /** base + min(maxBoost, ⌊wait / stepSeconds⌋ × boost), wait = now − arrival (0 when unknown). */
  effective(task: PriorityFields, now: number, submittedAt?: number): number {
    const since = task.arrival ?? submittedAt;
    const wait = since === undefined ? 0 : Math.max(0, now - since);
    const { stepSeconds, boost, maxBoost } = this.policy.aging;
    return this.base(task) + Math.min(maxBoost, Math.floor(wait / stepSeconds) * boost);
  }

  /** Urgent tasks may preempt: an emergency class, or effective priority ≥ emergencyPriority. */
  isUrgent(task: PriorityFields, now: number): boolean {
    if (this.classOf(task)?.emergency) return true;
    const t = this.policy.emergencyPriority;
    return t !== undefined && this.effective(task, now) >= t;
  }

  isPreemptible(task: PriorityFields): boolean {
    return this.classOf(task)?.preemptible ?? true;
  }

  /** Queue order at `now`: negative when `a` goes first. */
  compare(a: PriorityFields, b: PriorityFields, now: number): number {
    const pa = this.effective(a, now);
    const pb = this.effective(b, now);
    if (pa !== pb) return pb - pa;
    const da = a.deadline ?? Infinity;
    const db = b.deadline ?? Infinity;
    if (da !== db) return da < db ? -1 : 1;
    const aa = a.arrival ?? Infinity;
    const ab = b.arrival ?? Infinity;
    if (aa !== ab) return aa < ab ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  /** A reason when the task can no longer meet its deadline (now + duration > deadline), else null. */
  deadlineMiss(task: PriorityFields, now: number): string | null {
    if (task.deadline === undefined) return null;
    const end = now + (task.duration ?? 0);
    if (end <= task.deadline) return null;
    return `deadline ${task.deadline} cannot be met: now ${now} + duration ${task.duration ?? 0} = ${end} > ${task.deadline}`;
  }

  /** Hour of the day (0..23) at `now` seconds, shifted by utcOffsetMinutes. */
  hourOf(now: number): number {
    const s = Math.floor(now + this.policy.utcOffsetMinutes * 60);
    return Math.floor((((s % 86400) + 86400) % 86400) / 3600);
  }

  /** A reason to hold the task when its class may not start at `now`, else null. */
  windowHold(task: PriorityFields, now: number): string | null {
    const c = this.classOf(task);
    if (!c?.window) return null;
    const h = this.hourOf(now);
    const { fromHour: f, toHour: t } = c.window;
    const inside = f < t ? h >= f && h < t : h >= f || h < t;
    if (inside) return null;
    const hh = (x: number): string => `${String(x % 24).padStart(2, '0')}:00`;
    return `class ${c.name} starts only ${hh(f)}–${hh(t)} (now ${hh(h)})`;
  }
}
