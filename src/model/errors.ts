/**
 * The one error type of hetpool. `code` is machine-readable; `path` names the offending field
 * (`tasks[3].accel.milli`) or source line (`pods.csv:17`). A call that throws it changed nothing.
 */
export type ErrorCode =
  | 'invalid-input' // a value failed validation; `path` names it
  | 'not-found' // an id that does not exist (node, device, task, tenant)
  | 'conflict' // an id that already exists, or a state that forbids the call
  | 'permission-denied' // RBAC: the actor may not do this
  | 'quota-exceeded' // a tenant limit or budget would be exceeded
  | 'parse-error' // agent output or a file could not be read; `path` names source and line
  | 'wasm-abi' // a kernel module is missing or has the wrong ABI version
  | 'internal'; // a bug: please report it

export class HetpoolError extends Error {
  readonly code: ErrorCode;
  readonly path: string;
  readonly details?: unknown;
  constructor(code: ErrorCode, path: string, message: string, details?: unknown) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'HetpoolError';
    this.code = code;
    this.path = path;
    this.details = details;
  }
}

export function isHetpoolError(e: unknown): e is HetpoolError {
  return e instanceof HetpoolError;
}
