// Compiles every kernel module assembly/<name>.ts (files under assembly/lib/ are shared includes)
// to build/<name>.wasm (release) and, with --debug, build/<name>.debug.wasm.
import asc from 'assemblyscript/asc';
import { readdirSync, mkdirSync } from 'node:fs';

const debug = process.argv.includes('--debug');
const entries = readdirSync('assembly').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
mkdirSync('build', { recursive: true });
let failed = false;
for (const file of entries) {
  const name = file.slice(0, -3);
  const targets = debug ? ['release', 'debug'] : ['release'];
  for (const target of targets) {
    const out = target === 'release' ? `build/${name}.wasm` : `build/${name}.debug.wasm`;
    const { error, stderr } = await asc.main([
      `assembly/${file}`, '--config', 'asconfig.json', '--target', target, '--outFile', out,
    ]);
    if (error) {
      failed = true;
      console.error(`asbuild: ${file} (${target}) failed: ${error.message}\n${stderr.toString()}`);
    }
  }
}
if (failed) process.exit(1);
console.log(`asbuild: ${entries.length} kernel module(s) built${debug ? ' (release + debug)' : ''}`);
