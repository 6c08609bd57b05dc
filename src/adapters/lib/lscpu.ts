/**
 * lscpu's fields, whichever way they were printed (`lscpu` text, `lscpu -J` old flat or new
 * nested JSON): an ordered list of (field, value, line) → CpuFacts. Mixed-core CPUs print one
 * "Model name" section per core type, each with its own "Core(s) per socket/cluster".
 */
import { archFrom, clusterSummary, type CpuFacts } from './cpu.js';
import type { ParseContext } from './context.js';
import { isNotAvailable, readInt } from './units.js';

/** One lscpu `Field: value` (field without its colon) and the 1-based line it came from. */
export interface LscpuField {
  key: string;
  value: string;
  line: number;
}

/** Facts from lscpu fields; warns (via ctx) about values it cannot read. */
export function factsFromLscpu(ctx: ParseContext, fields: readonly LscpuField[]): CpuFacts {
  const facts: CpuFacts = { numa: [] };
  const first = (re: RegExp) => fields.find((f) => re.test(f.key));
  const int = (f: LscpuField | undefined): number | undefined => {
    if (!f || isNotAvailable(f.value)) return undefined;
    const v = readInt(f.value);
    if (v === undefined) ctx.warn(f.line, `${f.key} "${f.value}" is not a count; ignored`);
    return v;
  };
  const arch = first(/^Architecture$/);
  facts.arch = archFrom(arch?.value);
  const isa = first(/^ISA$/);
  if (isa && !isNotAvailable(isa.value)) facts.isa = isa.value;
  // RISC-V renderings may drop the Architecture line (the SG2042 sample does); rv64… names it.
  if (!facts.arch && facts.isa) facts.arch = archFrom(facts.isa);
  if (arch && !facts.arch) ctx.warn(arch.line, `architecture "${arch.value}" is not x86_64, aarch64 or riscv64`);
  facts.logical = int(first(/^CPU\(s\)$/));
  const vendor = first(/^Vendor ID$/);
  if (vendor && !isNotAvailable(vendor.value)) facts.vendor = vendor.value;

  // One section per core type. util-linux ≥ 2.37 prints "Model name" and then its counts;
  // older versions print the counts first and "Model name" later — both land in one section.
  type Section = { named: boolean; model?: string; cores?: number; sockets?: number; threads?: number };
  const sections: Section[] = [{ named: false }];
  for (const f of fields) {
    let s = sections[sections.length - 1];
    if (f.key === 'Model name') {
      if (s.named) sections.push((s = { named: true }));
      s.named = true;
      s.model = isNotAvailable(f.value) ? undefined : f.value;
    } else if (/^Core\(s\) per (socket|cluster)$/.test(f.key)) s.cores = int(f);
    else if (/^(Socket|Cluster)\(s\)$/.test(f.key)) s.sockets = s.sockets ?? int(f);
    else if (f.key === 'Thread(s) per core') s.threads = int(f);
  }
  const used = sections.filter((s) => s.named || s.cores !== undefined || s.sockets !== undefined || s.threads !== undefined);
  const named = used.filter((s) => s.model);
  if (named.length === 1) facts.model = named[0].model;
  else if (named.length > 1) {
    facts.model = named.map((s) => s.model).join(' + ');
    facts.clusters = clusterSummary(named.flatMap((s) => Array((s.cores ?? 1) * (s.sockets ?? 1)).fill(s.model as string)));
  }
  if (used.length === 1) {
    const s = used[0];
    facts.sockets = s.sockets;
    facts.threadsPerCore = s.threads;
    if (s.cores !== undefined && s.sockets !== undefined) facts.cores = s.cores * s.sockets;
  } else if (used.length > 1 && used.every((s) => s.cores !== undefined)) {
    facts.cores = used.reduce((n, s) => n + (s.cores as number) * (s.sockets ?? 1), 0);
  }
  for (const f of fields) {
    const m = /^NUMA node(\d+) CPU\(s\)$/.exec(f.key);
    if (m && !isNotAvailable(f.value)) facts.numa.push({ id: Number(m[1]), cpus: f.value });
  }
  return facts;
}
