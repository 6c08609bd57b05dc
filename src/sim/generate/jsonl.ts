/**
 * JSON Lines in and out, synchronously and in bounded memory: a million tasks are written and
 * read one line at a time (a 1 MiB buffer), never as one string.
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { HetpoolError, parseTask, parseTaskList, type Task } from '../../model/index.js';

const CHUNK = 1 << 20;

/**
 * Write each value of `items` as one JSON line to `file` (via a temporary sibling and a rename,
 * so a reader never sees half a file). Returns the number of lines written.
 */
export function writeJsonLines(file: string, items: Iterable<unknown>): number {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let buf = '';
  let n = 0;
  try {
    for (const it of items) {
      buf += `${JSON.stringify(it)}\n`;
      n++;
      if (buf.length >= CHUNK) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return n;
}

/**
 * Write JSON Lines to a file descriptor (stdout = 1) in 1 MiB chunks. Stops quietly when the
 * reader has gone (`| head`); returns the number of lines produced.
 */
export function writeJsonLinesFd(fd: number, items: Iterable<unknown>): number {
  let buf = '';
  let n = 0;
  for (const it of items) {
    buf += `${JSON.stringify(it)}\n`;
    n++;
    if (buf.length >= CHUNK) {
      if (!writeAllSync(fd, buf)) return n;
      buf = '';
    }
  }
  if (buf) writeAllSync(fd, buf);
  return n;
}

/**
 * writeSync on a pipe may write part of the buffer or report EAGAIN: loop until all is out.
 * False when the reader closed the pipe (EPIPE).
 */
function writeAllSync(fd: number, s: string): boolean {
  let b = Buffer.from(s);
  while (b.length > 0) {
    try {
      const w = writeSync(fd, b);
      b = b.subarray(w);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return false;
      if (code !== 'EAGAIN') throw e;
    }
  }
  return true;
}

/** Each non-blank line of `file` as [lineNumber, text], read in 1 MiB chunks. */
export function* readLines(file: string): Generator<[number, string]> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new HetpoolError('invalid-input', file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  let rest = '';
  let line = 0;
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, null);
      if (got === 0) break;
      // A chunk may end inside a multi-byte character: decode only up to the last newline byte.
      const chunk = buf.subarray(0, got);
      const cut = chunk.lastIndexOf(10);
      if (cut < 0) {
        rest += chunk.toString('utf8');
        continue;
      }
      const text = rest + chunk.subarray(0, cut).toString('utf8');
      rest = chunk.subarray(cut + 1).toString('utf8');
      for (const l of text.split('\n')) {
        line++;
        if (l.trim()) yield [line, l];
      }
    }
    if (rest.trim()) yield [line + 1, rest];
  } finally {
    closeSync(fd);
  }
}

/** True when `file` names JSON Lines (`.jsonl`, `.ndjson`). */
export const isJsonLines = (file: string): boolean => /\.(jsonl|ndjson)$/i.test(file);

/**
 * Tasks of a workload file, lazily: JSON Lines (one task per line; errors name `file:line`) or a
 * JSON TaskList `{ version: 1, tasks: [...] }` (errors name `file: tasks[i].field`).
 */
export function* readTasks(file: string): Generator<Task> {
  if (!isJsonLines(file)) {
    const lines: string[] = [];
    for (const [, l] of readLines(file)) lines.push(l);
    let json: unknown;
    try {
      json = JSON.parse(lines.join('\n'));
    } catch (e) {
      throw new HetpoolError('parse-error', file, `not valid JSON: ${(e as Error).message}`);
    }
    let list;
    try {
      list = parseTaskList(json);
    } catch (e) {
      if (e instanceof HetpoolError) throw new HetpoolError(e.code, `${file}: ${e.path}`, e.message.slice(e.path.length + 2), e.details);
      throw e;
    }
    yield* list.tasks;
    return;
  }
  const seen = new Set<string>();
  for (const [n, l] of readLines(file)) {
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new HetpoolError('parse-error', `${file}:${n}`, `not valid JSON: ${(e as Error).message}`);
    }
    const t = parseTask(v, `${file}:${n}`);
    if (seen.has(t.id)) throw new HetpoolError('invalid-input', `${file}:${n}`, `duplicate task id "${t.id}"`);
    seen.add(t.id);
    yield t;
  }
}
