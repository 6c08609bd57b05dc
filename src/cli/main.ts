#!/usr/bin/env node
/**
 * `hetpool` command line. Each sub-command lives in `commands/<name>.ts` and exports
 * `register(program)`; adding one is one file plus one line in COMMANDS below.
 * Errors: a HetpoolError prints `hetpool: <path>: <message>` and exits 2; anything else exits 1.
 */
import { Command } from 'commander';
import { isHetpoolError } from '../model/errors.js';

type Register = (program: Command) => void;
const COMMANDS: Array<() => Promise<{ register: Register }>> = [
  // one line per sub-command:
  () => import('./commands/discover.js'), // also registers `inventory`
  () => Promise.all([import('./commands/generate.js'), import('./commands/plan.js')]).then((ms) => ({ register: (p: Command) => ms.forEach((m) => m.register(p)) })), // generate + plan (simgen)
  () => import('./commands/place.js'),
  () => import('./commands/run.js'),
  () => import('./commands/simulate.js'),
  () => import('./commands/tenants.js'),
];

async function main(argv: string[]): Promise<void> {
  const program = new Command('hetpool')
    .description('Pool, slice and schedule heterogeneous compute with a WebAssembly core (T/CESA 1463-2025)')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('commander.')) {
    const code = (e as { code: string; exitCode?: number }).code;
    process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : ((e as { exitCode?: number }).exitCode ?? 2));
  }
  if (isHetpoolError(e)) {
    process.stderr.write(`hetpool: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`hetpool: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
