import { HetpoolError } from '../../src/model/errors.js';

/** The HetpoolError that `f` throws; any other error is re-thrown, and no error fails the test. */
export function hetpoolErrorOf(f: () => unknown): HetpoolError {
  try {
    f();
  } catch (e) {
    if (e instanceof HetpoolError) return e;
    throw e;
  }
  throw new Error('expected a HetpoolError');
}
