/**
 * The only place that instantiates WebAssembly. Each kernel module `assembly/<name>.ts` is built
 * to `build/<name>.wasm`; it exports `abiVersion(): i32` (checked here) and `heapBase(): usize`
 * (where free linear memory starts, after the module's static data). Compiled modules are cached
 * per process; every caller gets its own instance and memory, so engines never share state.
 *
 * `@assemblyscript/loader` is deprecated by its authors, so instantiation is done here directly
 * and callers build typed-array views over `memory.buffer` (re-created after any growth: see
 * `LinearHeap.generation`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HetpoolError } from '../model/errors.js';

const compiled = new Map<string, WebAssembly.Module>();

/** Directory that holds the built kernels: $HETPOOL_WASM_DIR, else the nearest `build/` above this file. */
export function wasmDir(): string {
  const env = process.env.HETPOOL_WASM_DIR;
  if (env) return resolve(env);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'build');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new HetpoolError('wasm-abi', 'build/', 'kernel directory not found: run `npm run build` (or set HETPOOL_WASM_DIR)');
}

/** Compile (once per process) the module `build/<name>.wasm`. */
export function compileKernel(name: string): WebAssembly.Module {
  let mod = compiled.get(name);
  if (mod) return mod;
  const file = join(wasmDir(), `${name}.wasm`);
  if (!existsSync(file)) throw new HetpoolError('wasm-abi', file, 'kernel module missing: run `npm run build`');
  mod = new WebAssembly.Module(readFileSync(file));
  compiled.set(name, mod);
  return mod;
}

export interface KernelInstance<E> {
  readonly exports: E;
  readonly memory: WebAssembly.Memory;
  readonly heapBase: number;
}

interface BaseExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  heapBase(): number;
}

const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new HetpoolError('internal', `wasm:${line}:${col}`, 'kernel aborted (assertion failed in a debug build)');
    },
    seed: () => Date.now(),
  },
};

/** A fresh instance of kernel `name`, checked against the ABI version the caller was written for. */
export function instantiateKernel<E>(name: string, abi: number, module?: WebAssembly.Module): KernelInstance<E & BaseExports> {
  const inst = new WebAssembly.Instance(module ?? compileKernel(name), imports);
  const ex = inst.exports as unknown as E & BaseExports;
  const got = ex.abiVersion();
  if (got !== abi) throw new HetpoolError('wasm-abi', `build/${name}.wasm`, `ABI version ${got}, expected ${abi}: rebuild with \`npm run build\``);
  return { exports: ex, memory: ex.memory, heapBase: ex.heapBase() };
}

/**
 * A bump layout over a kernel's linear memory: columns are reserved once, 16-byte aligned (so
 * SIMD loads are aligned), and memory grows as needed. `generation` changes whenever the buffer
 * was replaced, so holders of typed-array views know to re-create them.
 */
export class LinearHeap {
  private top: number;
  generation = 0;
  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = align16(base);
  }
  /** Reserve `bytes` and return the byte offset. */
  reserve(bytes: number): number {
    const at = this.top;
    this.top = align16(at + bytes);
    this.ensure(this.top);
    return at;
  }
  /** Reset to `offset` (free everything reserved after it). */
  resetTo(offset: number): void {
    this.top = align16(offset);
  }
  get used(): number {
    return this.top;
  }
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / 65536);
    this.memory.grow(pages);
    this.generation++;
  }
}

const align16 = (n: number): number => (n + 15) & ~15;
