/**
 * `hetpool plan`: the cheapest node mix for a workload from a price catalogue (MILP in GLPK),
 * checked by simulating the workload on it with the real engine (docs/planning.md).
 */
import type { Command } from 'commander';
import { HetpoolError } from '../../model/index.js';
import { readTasks } from '../../sim/generate/index.js';
import { fmtSeconds, parsePriceCatalog, plan, type PlanResult } from '../../sim/plan/index.js';
import { readJsonFile, writeJsonFile } from '../io.js';
import { intOption, numOption } from './generate.js';

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const money = (x: number, cur: string) => `${x.toFixed(2)} ${cur}/h`;

/** The plan as text: the demand, then per round "LP says …, simulation says …". */
export function formatPlan(r: PlanResult, currency: string): string {
  const out: string[] = [];
  const tgt = r.target.allocation < 1 ? `peak allocation ≤ ${pct(r.target.allocation)}, p99 wait ≤ ${fmtSeconds(r.target.wait)}` : `p99 wait ≤ ${fmtSeconds(r.target.wait)}`;
  out.push(`workload: ${r.tasks} tasks; target: ${tgt}`);
  out.push('peak concurrent demand:');
  for (const g of r.demand) {
    const parts: string[] = [];
    if (g.peak.cpuMilli) parts.push(`${(g.peak.cpuMilli / 1000).toFixed(1)} cores`);
    if (g.peak.memoryMiB) parts.push(`${(g.peak.memoryMiB / 1024).toFixed(0)} GiB`);
    if (g.peak.deviceMilli) parts.push(`${(g.peak.deviceMilli / 1000).toFixed(2)} devices`);
    if (g.peak.deviceMemoryMiB) parts.push(`${(g.peak.deviceMemoryMiB / 1024).toFixed(0)} GiB device memory`);
    out.push(`  ${g.key} (${g.tasks} tasks): ${parts.join(', ')}`);
  }
  for (const u of r.unservable) out.push(`  not servable by any node type, left out: ${u.key} (${u.tasks} tasks)`);
  for (const k of r.rounds) {
    const mix = k.nodes.map((n) => `${n.count} × ${n.type}`).join(' + ') || 'nothing';
    const more = Object.entries(k.groupHeadroom);
    if (more.length) out.push(`round ${k.round}: more headroom for ${more.map(([g, x]) => `"${g}" +${pct(x)}`).join(', ')}`);
    out.push(`round ${k.round} (headroom ${pct(k.headroom)}): LP says ${mix} = ${money(k.sizing.cost, currency)} (${k.sizing.status}; LP bound ${money(k.sizing.lpBound, currency)})`);
    const s = k.simulation;
    if (s) {
      out.push(`  simulation says: placed ${s.placed}/${s.placed + s.failedToPlace}, wait p50 ${fmtSeconds(s.wait.p50)} p99 ${fmtSeconds(s.wait.p99)}, peak use CPU ${pct(s.peak.cpu)} device ${pct(s.peak.deviceMilli)} device memory ${pct(s.peak.deviceMemory)}`);
      out.push(k.met ? '  → meets the target' : `  → misses the target: ${k.missed}; late: ${s.late.slice(0, 4).map((x) => `${x.key} (${x.tasks})`).join(', ')}`);
    }
  }
  const a = r.answer;
  if (r.met === undefined) out.push(`answer (not simulated): ${money(a.sizing.cost, currency)}`);
  else if (r.met) out.push(`answer: ${a.nodes.map((n) => `${n.count} × ${n.type}`).join(' + ')} at ${money(a.sizing.cost, currency)}, checked by simulation in round ${a.round}`);
  else out.push(`answer: none met the target in ${r.rounds.length} rounds; the last (${money(a.sizing.cost, currency)}) is the best effort — raise --rounds or --headroom`);
  return `${out.join('\n')}\n`;
}

/** Register `plan`. */
export function register(program: Command): void {
  program.command('plan')
    .description('cheapest node mix for a workload from a price catalogue (MILP), checked by simulation')
    .requiredOption('--workload <file>', 'tasks with arrival and duration: .jsonl (one per line) or a JSON task list')
    .requiredOption('--catalog <file>', 'price catalogue of node types (JSON)')
    .option('--target-allocation <0..1>', 'peak demand may fill at most this share of capacity (default 0.9)')
    .option('--target-wait <s>', 'instead: p99 waiting time to meet, seconds')
    .option('--max-wait <s>', 'with --target-allocation: p99 wait the check may show (default 0)')
    .option('--headroom <x>', 'headroom of the first round', '0.05')
    .option('--headroom-step <x>', 'headroom added per missed round', '0.1')
    .option('--rounds <n>', 'at most this many solve-and-simulate rounds', '4')
    .option('--policy <name>', 'engine policy in the simulation', 'binpack')
    .option('--seed <n>', 'engine seed', '1')
    .option('--no-simulate', 'solve only, do not check by simulation')
    .option('--json <file>', 'also write the full result as JSON')
    .action(async (o: { workload: string; catalog: string; targetAllocation?: string; targetWait?: string; maxWait?: string; headroom: string; headroomStep: string; rounds: string; policy: string; seed: string; simulate: boolean; json?: string }) => {
      if (o.targetAllocation !== undefined && o.targetWait !== undefined) throw new HetpoolError('invalid-input', '--target-wait', 'give either --target-allocation or --target-wait, not both');
      let catalog;
      try {
        catalog = parsePriceCatalog(readJsonFile(o.catalog));
      } catch (e) {
        if (e instanceof HetpoolError && e.code === 'invalid-input' && e.path !== o.catalog) throw new HetpoolError(e.code, `${o.catalog}: ${e.path}`, e.message.slice(e.path.length + 2), e.details);
        throw e;
      }
      const workload = () => readTasks(o.workload);
      const r = await plan({
        workload, catalog,
        targetAllocation: o.targetAllocation !== undefined ? numOption('target-allocation', o.targetAllocation, 0.01, 1) : undefined,
        targetWait: o.targetWait !== undefined ? numOption('target-wait', o.targetWait, 0) : undefined,
        maxWait: o.maxWait !== undefined ? numOption('max-wait', o.maxWait, 0) : undefined,
        headroom: numOption('headroom', o.headroom, 0, 10),
        headroomStep: numOption('headroom-step', o.headroomStep, 0.001, 10),
        rounds: intOption('rounds', o.rounds, 1, 20),
        policy: o.policy, seed: intOption('seed', o.seed, 0, 2 ** 32 - 1), simulate: o.simulate,
      });
      process.stdout.write(formatPlan(r, catalog.currency));
      if (o.json) writeJsonFile(o.json, { ...r, currency: catalog.currency });
    });
}
