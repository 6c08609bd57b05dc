/**
 * Small helpers shared by the parsers: line splitting, `N/A` detection, numbers with units, and
 * the one way to fail (`HetpoolError('parse-error', '<source>:<line>', …)`).
 * Every number a parser returns goes through `nonNegative`/`quantityMiB` so it is finite and ≥ 0.
 */
import { HetpoolError } from '../model/errors.js';
import type { Inventory, ParseOptions, ParseWarning } from './types.js';

/** Node id used when an agent's output does not name its host and the caller gave none. */
export const DEFAULT_NODE_ID = 'localhost';

/** Split text into lines (CRLF tolerant). Line `i` in the array is line `i + 1` in messages. */
export const splitLines = (text: string): string[] => text.split(/\r?\n/);

/** Remove ANSI escape sequences (nvidia-smi topo underlines its header with ESC[4m…ESC[0m). */
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

/** Values agents print when a field is absent, unsupported or deprecated. */
const NA = /^\[?\s*(n\/a|na|not supported|not available|unknown|unknown error|requested functionality has been deprecated|insufficient permissions|-+|none)?\s*\]?$/i;
/** True for `N/A`, `[N/A]`, `Not Supported`, `-`, empty and similar placeholders. */
export const isNA = (v: string | undefined | null): boolean => v === undefined || v === null || NA.test(v.trim());

/**
 * The leading number of a value such as `81559 MiB`, `67.03 W`, `27 C`, `65 %`, `3.45e+08`.
 * Returns undefined for placeholders, garbage, non-finite and negative numbers: a parser never
 * returns a number it could not read for sure.
 */
export function nonNegative(v: string | number | undefined | null): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (isNA(v)) return undefined;
  const m = /^\s*\+?((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?![\d.])/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Like `nonNegative` but only for a whole integer (counts, indexes). */
export function nonNegativeInt(v: string | number | undefined | null): number | undefined {
  const n = nonNegative(v);
  return n !== undefined && Number.isInteger(n) && n <= 2 ** 31 - 1 ? n : undefined;
}

const MIB_PER_UNIT: Record<string, number> = {
  b: 1 / 1048576, bytes: 1 / 1048576, byte: 1 / 1048576,
  kib: 1 / 1024, kb: 1000 / 1048576, k: 1000 / 1048576,
  mib: 1, mb: 1e6 / 1048576, m: 1e6 / 1048576,
  gib: 1024, gb: 1e9 / 1048576, g: 1e9 / 1048576,
  tib: 1048576, tb: 1e12 / 1048576,
};

/**
 * A memory amount with its unit (`81559 MiB`, `4.75 GiB`, `16 GB`, `1024KiB`) in whole MiB
 * (floored, so a device never looks bigger than it is). `defaultUnit` applies to a bare number.
 */
export function quantityMiB(v: string | number | undefined | null, defaultUnit = 'mib'): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return nonNegative(v) === undefined ? undefined : Math.floor(v * MIB_PER_UNIT[defaultUnit]);
  if (isNA(v)) return undefined;
  const m = /^\s*((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const f = MIB_PER_UNIT[(m[2] || defaultUnit).toLowerCase()];
  const n = Number(m[1]);
  if (f === undefined || !Number.isFinite(n) || n < 0) return undefined;
  const mib = Math.floor(n * f + 1e-9);
  return mib <= 2 ** 31 - 1 ? mib : undefined;
}

/** Throw the one parse error: `<source>:<line>: message`. */
export function parseError(options: ParseOptions | undefined, line: number, message: string): never {
  throw new HetpoolError('parse-error', `${options?.source ?? 'input'}:${line}`, message);
}

/** A warning located at `<source>:<line>`. */
export const warnAt = (options: ParseOptions | undefined, line: number, message: string): ParseWarning => ({
  at: `${options?.source ?? 'input'}:${line}`,
  message,
});

/** The node id for an inventory: the caller's, else the host the output names, else `localhost`. */
export const nodeIdOf = (options: ParseOptions | undefined, fromOutput?: string): string =>
  options?.nodeId ?? (fromOutput && !isNA(fromOutput) ? fromOutput : DEFAULT_NODE_ID);

/** An empty inventory for `parser` reading `options.source`. */
export const emptyInventory = (parser: string, options: ParseOptions | undefined): Inventory => ({
  source: `${parser}:${options?.source ?? 'input'}`,
  nodes: [],
  warnings: [],
});

/** 1-based line number of character offset `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
