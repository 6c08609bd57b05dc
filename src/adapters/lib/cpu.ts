/**
 * CPU facts shared by the lscpu (JSON and text) and /proc/cpuinfo parsers, and how they land on
 * a node: arch, cpuMilli = logical CPUs × 1000, `hetpool.io/cpu.*` labels, and NUMA nodes as
 * topology vertices linked to the node.
 */
import { Labels } from '../../model/labels.js';
import type { Arch } from '../../model/types.js';
import type { ParseContext } from './context.js';
import { countCpuList } from './units.js';

/** Group of the CPU agent parsers (lscpu JSON/text, /proc/cpuinfo): discovery runs the first that works, merge keeps one. */
export const CPU_GROUP = 'cpu';

/** What a CPU agent told us, before it is written onto the node. */
export interface CpuFacts {
  arch?: Arch;
  /** Logical CPUs (hardware threads) — every core of every cluster, big or LITTLE. */
  logical?: number;
  sockets?: number;
  /** Physical cores in total. */
  cores?: number;
  threadsPerCore?: number;
  model?: string;
  vendor?: string;
  isa?: string;
  /** big.LITTLE and other mixed designs: "Cortex-A510×3, Cortex-A715×2, …". */
  clusters?: string;
  /** NUMA node id → its CPU list ("0-7,16-23"). */
  numa: Array<{ id: number; cpus: string }>;
}

/** Kernel/uname/lscpu architecture names → the model's arch (x86_64 | aarch64 | riscv64). */
export function archFrom(name: string | undefined): Arch | undefined {
  const n = (name ?? '').trim().toLowerCase();
  if (n === 'x86_64' || n === 'amd64' || n === 'x64') return 'x86_64';
  if (n === 'aarch64' || n === 'arm64' || n === 'armv8' || n === 'armv9') return 'aarch64';
  if (n === 'riscv64' || /^rv64/.test(n)) return 'riscv64';
  return undefined;
}

/**
 * ARM "CPU implementer" / "CPU part" → core name. Source: util-linux sys-utils/lscpu-arm.c
 * (the table lscpu itself uses); only the parts hetpool has met are listed, others print raw.
 */
const ARM_PARTS: Record<string, Record<string, string>> = {
  '0x41': {
    '0xd03': 'Cortex-A53', '0xd04': 'Cortex-A35', '0xd05': 'Cortex-A55', '0xd07': 'Cortex-A57',
    '0xd08': 'Cortex-A72', '0xd09': 'Cortex-A73', '0xd0a': 'Cortex-A75', '0xd0b': 'Cortex-A76',
    '0xd0c': 'Neoverse-N1', '0xd0d': 'Cortex-A77', '0xd40': 'Neoverse-V1', '0xd41': 'Cortex-A78',
    '0xd44': 'Cortex-X1', '0xd46': 'Cortex-A510', '0xd47': 'Cortex-A710', '0xd48': 'Cortex-X2',
    '0xd49': 'Neoverse-N2', '0xd4b': 'Cortex-A78C', '0xd4d': 'Cortex-A715', '0xd4e': 'Cortex-X3',
    '0xd4f': 'Neoverse-V2', '0xd80': 'Cortex-A520', '0xd81': 'Cortex-A720', '0xd82': 'Cortex-X4',
  },
  '0x48': { '0xd01': 'Kunpeng-920 (TSV110)' },
  '0x46': { '0x001': 'A64FX' },
  '0xc0': { '0xac3': 'Ampere-1', '0xac4': 'Ampere-1a' },
};

/** Name of an ARM core from implementer and part ("0x41", "0xd46" → "Cortex-A510"). */
export function armCoreName(implementer: string | undefined, part: string | undefined): string | undefined {
  if (!implementer || !part) return undefined;
  const i = implementer.trim().toLowerCase();
  const p = part.trim().toLowerCase();
  return ARM_PARTS[i]?.[p] ?? `${i}:${p}`;
}

/** "A×3, B×2" in order of first appearance. */
export function clusterSummary(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${n}×${c}`).join(', ');
}

/** Write CPU facts onto the context's node (and NUMA vertices); warn about inconsistencies. */
export function applyCpuFacts(ctx: ParseContext, f: CpuFacts): void {
  const labels: Record<string, string> = { ...ctx.node.labels };
  if (f.arch) {
    ctx.node.arch = f.arch;
    labels[Labels.arch] = f.arch;
  } else ctx.warn(0, 'architecture not stated or not one of x86_64/aarch64/riscv64; arch left unset');
  if (f.logical !== undefined && f.logical > 0) ctx.node.cpuMilli = f.logical * 1000;
  else ctx.warn(0, 'logical CPU count not found; cpuMilli left unset');
  const put = (k: string, v: string | number | undefined) => {
    if (v === undefined || v === '') return;
    const s = String(v);
    if (s.length <= 253) labels[`hetpool.io/cpu.${k}`] = s;
  };
  put('model', f.model);
  put('vendor', f.vendor);
  put('sockets', f.sockets);
  put('cores', f.cores);
  put('threads', f.logical);
  put('threads-per-core', f.threadsPerCore);
  put('isa', f.isa);
  put('clusters', f.clusters);
  ctx.node.labels = labels;
  if (f.cores !== undefined && f.threadsPerCore !== undefined && f.logical !== undefined && f.cores * f.threadsPerCore !== f.logical) {
    ctx.warn(0, `cores × threads per core = ${f.cores} × ${f.threadsPerCore} ≠ ${f.logical} logical CPUs (offline CPUs or an inconsistent capture)`);
  }
  if (f.numa.length) {
    const nodeVertex = ctx.nodeId;
    ctx.vertices.push({ id: nodeVertex, kind: 'node' });
    for (const n of f.numa) {
      const id = ctx.target(`numa${n.id}`);
      const count = countCpuList(n.cpus);
      ctx.vertices.push({ id, kind: 'numa', labels: { 'hetpool.io/cpus': n.cpus, ...(count !== undefined ? { 'hetpool.io/cpu.count': String(count) } : {}) } });
      ctx.links.push({ a: nodeVertex, b: id, type: 'numa' });
    }
  }
}
