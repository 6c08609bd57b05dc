/**
 * Base units on the hot path are integers:
 * CPU in milli-cores (1000 = one core), memory and device memory in MiB, device share in milli
 * (1000 = one whole device), money in micro-units per hour where it reaches a kernel.
 */
export const MILLI = 1000;
export const MIB_PER_GIB = 1024;

/** Cores (may be fractional) → milli-cores, rounded to the nearest integer. */
export const coresToMilli = (cores: number): number => Math.round(cores * MILLI);
/** GiB → MiB. */
export const gibToMib = (gib: number): number => Math.round(gib * MIB_PER_GIB);
/** Parse Kubernetes quantities for CPU ("500m", "2", "1.5") into milli-cores. */
export function parseCpuQuantity(q: string): number {
  const s = q.trim();
  if (/^\d+m$/.test(s)) return Number(s.slice(0, -1));
  if (/^\d+(\.\d+)?$/.test(s)) return coresToMilli(Number(s));
  return Number.NaN;
}
/** Parse Kubernetes memory quantities ("64Gi", "1024Mi", "1000000Ki", "17179869184") into MiB. */
export function parseMemoryQuantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|K|k|M|G|T|P|E|Ei)?$/.exec(q.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  const f: Record<string, number> = {
    '': 1 / 1048576, Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1048576, Pi: 1073741824, Ei: 1099511627776,
    k: 1000 / 1048576, K: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576, T: 1e12 / 1048576, P: 1e15 / 1048576, E: 1e18 / 1048576,
  };
  return Math.floor(v * f[m[2] ?? '']);
}
