/**
 * Node-level constraints of a task — arch, form, site, label selector, taints/tolerations — as
 * plain rules. The engine folds them into a per-signature node bitset (computed once per
 * distinct signature, invalidated by node changes) so the kernel only tests one bit per node.
 */
import { Labels } from '../model/labels.js';
import type { Node, Taint, Task, Toleration } from '../model/types.js';

/** The node's labels plus the standard ones derived from its fields (arch, form, site, …). */
export function effectiveLabels(node: Node): Record<string, string> {
  const out: Record<string, string> = { ...(node.labels ?? {}) };
  out[Labels.arch] = node.arch;
  out[Labels.form] = node.form;
  if (node.site !== undefined) out[Labels.site] = node.site;
  if (node.zone !== undefined) out[Labels.zone] = node.zone;
  if (node.region !== undefined) out[Labels.region] = node.region;
  if (node.rack !== undefined) out[Labels.rack] = node.rack;
  return out;
}

/** Kubernetes toleration matching (k8s.io/api core/v1 Toleration.ToleratesTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === '') return (t.operator ?? 'Equal') === 'Exists';
  if (t.key !== taint.key) return false;
  if ((t.operator ?? 'Equal') === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** Taints that block placement (NoSchedule, NoExecute); PreferNoSchedule never blocks. */
export const isHardTaint = (taint: Taint): boolean => taint.effect !== 'PreferNoSchedule';

/** The first hard taint of `node` the task does not tolerate (or, with `effect`, only taints of that effect). */
export function untoleratedTaint(task: Task, node: Node, effect?: Taint['effect']): Taint | undefined {
  for (const taint of node.taints ?? []) {
    if (!isHardTaint(taint)) continue;
    if (effect && taint.effect !== effect) continue;
    if (!(task.tolerations ?? []).some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}

/** Why `node` does not satisfy the task's node constraints, or null when it does. */
export function constraintReason(task: Task, node: Node): string | null {
  if (task.arch && !task.arch.includes(node.arch)) return `node arch not in [${task.arch.join(', ')}]`;
  if (task.form && !task.form.includes(node.form)) return `node form not in [${task.form.join(', ')}]`;
  if (task.site && (node.site === undefined || !task.site.includes(node.site))) return `node site not in [${task.site.join(', ')}]`;
  if (task.selector) {
    const labels = effectiveLabels(node);
    for (const [k, v] of Object.entries(task.selector)) if (labels[k] !== v) return 'node labels do not match the selector';
  }
  if (untoleratedTaint(task, node)) return 'untolerated taint';
  return null;
}

/** True when the task names any node-level constraint besides taints. */
export const hasNodeConstraints = (task: Task): boolean => !!(task.arch || task.form || task.site || task.selector);

const ARCH_BIT: Record<string, number> = { x86_64: 1, aarch64: 2, riscv64: 4 };
const FORM_BIT: Record<string, number> = { hardware: 1, cloud: 2, edge: 4 };
/** Keys of every arch-set × form-set pair; `#` never starts a JSON key, so the two kinds never meet. */
const SET_SIGNATURES = Array.from({ length: 64 }, (_, i) => `#arch${i >> 3}form${i & 7}`);

function bitsOf(names: readonly string[] | undefined, bit: Record<string, number>): number {
  if (names === undefined) return 0;
  let bits = 0;
  for (const n of names) bits |= bit[n];
  return bits;
}

/**
 * The constraint key of a task that names at most arch and form (no site, selector or
 * tolerations), without building a string: the sets of allowed arches and forms decide its
 * node mask, so one key per pair of sets suffices (equal keys ⇒ equal masks). Undefined for
 * other tasks (use constraintSignature).
 */
export function setSignature(task: Task): string | undefined {
  if (task.site !== undefined || task.selector !== undefined || task.tolerations !== undefined) return undefined;
  return SET_SIGNATURES[(bitsOf(task.arch, ARCH_BIT) << 3) | bitsOf(task.form, FORM_BIT)];
}

/** Canonical key of a task's node constraints: equal keys ⇒ equal node masks. */
export function constraintSignature(task: Task): string {
  const sel = task.selector ? Object.entries(task.selector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  return JSON.stringify([task.arch ?? null, task.form ?? null, task.site ?? null, sel, task.tolerations ?? null]);
}
