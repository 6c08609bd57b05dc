/**
 * `hetpool run --scenario <file> [--out <file>]`: apply a scenario's timed operations (submit,
 * schedule, release, cancel, resize, drain, fail/heal, add/remove node, link, advance-clock) to
 * one engine with the scenario's tenants, classes, rules and topology as plugins, and write
 * `{ steps, tasks, catalog, summary }` as JSON (src/cli/scenario.ts, docs/cli.md). Bad input
 * exits 2 naming the file and field (`hetpool: s.json: operations[4].task.accel.milli: …`).
 */
import type { Command } from 'commander';
import { readJsonFile, writeJsonFile } from '../io.js';
import { runScenarioFile, type RunDocument } from '../scenario.js';

/** Options of `hetpool run`. */
export interface RunOptions {
  scenario: string;
  out?: string;
}

/** Run a scenario file and return the document `hetpool run` writes. */
export function runRun(o: RunOptions): RunDocument {
  return runScenarioFile(o.scenario, readJsonFile(o.scenario));
}

/** Register `run` on the program. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a scenario (cluster, tenants, classes, rules, topology, timed operations) on one engine and print every step as JSON')
    .requiredOption('--scenario <file>', 'scenario JSON file (docs/cli.md)')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action((opts: RunOptions) => {
      const doc = runRun(opts);
      if (opts.out) writeJsonFile(opts.out, doc);
      else process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    });
}
