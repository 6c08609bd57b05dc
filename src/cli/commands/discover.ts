/**
 * `hetpool discover`: run whichever hardware agents exist on this machine (nvidia-smi, npu-smi,
 * rocm-smi, lscpu, …: every registered parser that declares a command), merge what they report
 * with the runtime's view of the host, and print the node as unified cluster JSON. A missing tool
 * is skipped with a note on stderr, so it works on a CPU-only machine. Also registers
 * `hetpool inventory` (inventory.ts), so the CLI needs one COMMANDS line for both.
 *
 *   hetpool discover [--out cluster.json] [--node <id>] [--agents nvidia-smi-xml,lscpu-json]
 */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { HetpoolError } from '../../model/errors.js';
import { hostInventory } from '../../adapters/host.js';
import { mergeInventories } from '../../adapters/merge.js';
import { defaultParsers } from '../../adapters/registry.js';
import type { AgentParser, Inventory } from '../../adapters/types.js';
import { emitMerge, register as registerInventory, sharingOption } from './inventory.js';

/**
 * Parsers not run by default: other views of facts a default agent already reports (nvidia-smi -q,
 * CSV, table, -L, dmon, -lgi), and sources that are not local commands (exporters, kubectl).
 */
export const NOT_DISCOVERED = new Set(['nvidia-smi-q', 'nvidia-smi-csv', 'nvidia-smi-table', 'nvidia-smi-list', 'nvidia-smi-dmon', 'nvidia-smi-mig-lgi', 'dcgm-exporter', 'nvidia-gpu-exporter', 'k8s-node']);

function run(command: readonly string[], timeoutMs: number): Promise<{ stdout?: string; missing?: boolean; error?: string }> {
  return new Promise((resolve) => {
    execFile(command[0], command.slice(1), { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => {
      if (!err) resolve({ stdout });
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ missing: true });
      else resolve({ error: `exit ${(err as { code?: unknown }).code ?? (err as { signal?: string }).signal ?? '?'}: ${String(err.message).split('\n')[0].slice(0, 160)}` });
    });
  });
}

/** Register `hetpool discover` (and `hetpool inventory`). */
export function register(program: Command): void {
  program
    .command('discover')
    .description('run the hardware agents present on this machine and print this node as unified cluster JSON')
    .option('--out <file>', 'write the cluster JSON here instead of stdout')
    .option('--topology <file>', 'write topology vertices and links here')
    .option('--node <id>', 'node id (default: host name)')
    .option('--agents <names>', 'comma-separated parser names to run (default: every parser with a command, see docs/adapters.md)')
    .addOption(new Option('--sharing <mode>', 'sharing of devices no agent partitioned: exclusive | time-slice[:<n>]'))
    .option('--timeout <ms>', 'timeout of each agent command', '30000')
    .action(async (o: { out?: string; topology?: string; node?: string; agents?: string; sharing?: string; timeout: string }) => {
      const reg = defaultParsers();
      // Groups of parsers where the first that works is enough (CPU agents first, then InfiniBand tools).
      const alternatives = reg.alternativeGroups();
      const cpuAgents = alternatives.find((g) => g.includes('proc-cpuinfo')) ?? [];
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new HetpoolError('invalid-input', '--timeout', 'must be a positive integer (ms)');
      const defaultSharing = sharingOption(o.sharing);
      const nodeId = o.node ?? hostname();
      const chosen: AgentParser[] = o.agents
        ? o.agents.split(',').map((n) => n.trim()).filter(Boolean).map((n) => reg.get(n))
        : reg.list().filter((p) => p.command?.length && !NOT_DISCOVERED.has(p.name));
      const fragments: Inventory[] = [];
      const missing = new Set<string>();
      const done = new Set<string>();
      const outputs = new Map<string, Promise<{ stdout?: string; missing?: boolean; error?: string }>>();
      for (const p of chosen) {
        if (!p.command?.length) {
          process.stderr.write(`discover: ${p.name}: no command to run; skipped\n`);
          continue;
        }
        const group = alternatives.find((g) => g.includes(p.name));
        if (group && group.some((n) => done.has(n))) continue;
        const tool = p.command[0];
        if (missing.has(tool)) continue;
        const key = p.command.join('\u0000');
        if (!outputs.has(key)) outputs.set(key, run(p.command, timeoutMs));
        const r = await outputs.get(key)!;
        if (r.missing) {
          missing.add(tool);
          process.stderr.write(`discover: ${tool} not found; skipped\n`);
          continue;
        }
        if (r.error !== undefined) {
          process.stderr.write(`discover: ${p.command.join(' ')}: ${r.error}; skipped\n`);
          continue;
        }
        try {
          fragments.push(p.parse(r.stdout ?? '', { source: p.command.join(' '), nodeId }));
          done.add(p.name);
          process.stderr.write(`discover: ${p.name}: ok\n`);
        } catch (e) {
          process.stderr.write(`discover: ${p.name}: ${e instanceof Error ? e.message : String(e)}; skipped\n`);
        }
      }
      if (!cpuAgents.some((n) => done.has(n))) {
        const known = cpuAgents.filter((n) => reg.has(n));
        process.stderr.write(`discover: no CPU agent parsed${known.length ? '' : ' (no lscpu/proc-cpuinfo parser registered)'}; using the runtime's view of the host (node:os)\n`);
      }
      // The runtime's view comes last: real agents win every field they report.
      fragments.push(hostInventory(nodeId));
      emitMerge(mergeInventories(fragments, { ...(defaultSharing ? { defaultSharing } : {}) }), o);
    });
  registerInventory(program);
}
