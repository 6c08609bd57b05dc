/**
 * The host as the JavaScript runtime sees it (`node:os`): arch, logical CPUs, total memory. The
 * last-resort CPU source of `hetpool discover` when no CPU agent (lscpu, /proc/cpuinfo) parses;
 * fragments from real agents come first and win in merge.
 */
import { arch as osArch, availableParallelism, hostname, totalmem } from 'node:os';
import type { Arch } from '../model/types.js';
import type { Inventory } from './types.js';

const ARCH: Record<string, Arch> = { x64: 'x86_64', arm64: 'aarch64', riscv64: 'riscv64' };

/** An inventory fragment for this host (node id: `nodeId` or the host name). */
export function hostInventory(nodeId?: string): Inventory {
  const id = nodeId ?? hostname();
  const arch = ARCH[osArch()];
  const inv: Inventory = {
    source: 'node-os:runtime',
    nodes: [{ id, cpuMilli: availableParallelism() * 1000, memoryMiB: Math.floor(totalmem() / 1048576), ...(arch ? { arch } : {}) }],
    warnings: [],
  };
  if (!arch) inv.warnings.push({ at: 'node-os', message: `runtime arch ${osArch()} is not one hetpool schedules (x86_64, aarch64, riscv64)` });
  return inv;
}
