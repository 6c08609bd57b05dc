import type { z } from 'zod';
import { HetpoolError } from './errors.js';
import { fastParseTask } from './fast-task.js';
import * as S from './schema.js';
import type { Cluster, Node, Task, TaskList } from './types.js';

/** Render a zod path as `tasks[3].accel.milli`, prefixed with `root` when given. */
export function formatPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  let out = root;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * Validate `value` against `schema`; on failure throw one HetpoolError('invalid-input') whose path
 * is the first offending field and whose `details` lists every issue.
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, root = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // an unknown key is reported at the key itself (`tasks[0].gpus`), not at the object holding it
  const pathOf = (i: z.core.$ZodIssue) => (i.code === 'unrecognized_keys' && i.keys.length > 0 ? [...i.path, i.keys[0]] : i.path);
  const issues = r.error.issues.map((i) => ({ path: formatPath(root, pathOf(i)), message: i.message }));
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  throw new HetpoolError('invalid-input', first.path, first.message + more, issues);
}

export const parseCluster = (v: unknown, root = ''): Cluster => parseWith(S.ClusterSchema, v, root);
export const parseTaskList = (v: unknown, root = ''): TaskList => parseWith(S.TaskListSchema, v, root);
export const parseNode = (v: unknown, root = 'node'): Node => parseWith(S.NodeSchema, v, root);
/**
 * Validate a task: the hand-written fast path (fast-task.ts) when it is sure the input is valid
 * — it returns exactly what zod would — else zod, whose error is then thrown. Same result as
 * `parseWith(TaskSchema, v, root)`, several times cheaper on the common valid task.
 */
export const parseTask = (v: unknown, root = 'task'): Task => fastParseTask(v) ?? parseWith(S.TaskSchema, v, root);
