/**
 * Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
 * `name{label="value",…} value [timestamp-ms]`, `#` lines are HELP/TYPE comments. Label values
 * may hold escaped `\"`, `\\` and `\n`. Used by the DCGM-exporter and nvidia_gpu_exporter parsers.
 */
import type { ParseWarning } from '../types.js';
import { splitLines } from './text.js';

/** One series sample as written by the exporter (value may be NaN/±Inf: callers filter). */
export interface PromSample { name: string; labels: Record<string, string>; value: number; timestampMs?: number; line: number }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseLabels(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i >= s.length) break;
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    while (s[i] === ' ') i++;
    if (s[i] !== '=' || s[i + 1] !== '"') return undefined;
    i += 2;
    let v = '';
    for (;;) {
      if (i >= s.length) return undefined;
      const c = s[i];
      if (c === '\\') {
        const n = s[i + 1];
        v += n === 'n' ? '\n' : (n ?? '');
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        v += c;
        i++;
      }
    }
    out[m[0]] = v;
  }
  return out;
}

/** Parse exposition text; malformed lines become warnings (`<source>:<line>`), never exceptions. */
export function parsePrometheusText(text: string, source: string, warnings: ParseWarning[]): PromSample[] {
  const out: PromSample[] = [];
  const lines = splitLines(text);
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const nm = NAME.exec(l);
    if (!nm) {
      warnings.push({ at: `${source}:${i + 1}`, message: 'not a metric line; skipped' });
      return;
    }
    let rest = l.slice(nm[0].length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const close = findClose(rest);
      const parsed = close < 0 ? undefined : parseLabels(rest.slice(1, close));
      if (!parsed) {
        warnings.push({ at: `${source}:${i + 1}`, message: `malformed labels on ${nm[0]}; skipped` });
        return;
      }
      labels = parsed;
      rest = rest.slice(close + 1);
    }
    const parts = rest.trim().split(/\s+/);
    const value = parts[0] === undefined || parts[0] === '' ? Number.NaN : Number(parts[0]);
    if (Number.isNaN(value) && !/^nan$/i.test(parts[0] ?? '')) {
      warnings.push({ at: `${source}:${i + 1}`, message: `unreadable value "${(parts[0] ?? '').slice(0, 20)}" for ${nm[0]}; skipped` });
      return;
    }
    const ts = parts[1] !== undefined ? Number(parts[1]) : undefined;
    out.push({ name: nm[0], labels, value, line: i + 1, ...(ts !== undefined && Number.isFinite(ts) && ts >= 0 ? { timestampMs: ts } : {}) });
  });
  return out;
}

/** Index of the `}` closing the label set that starts at s[0] = `{`, honouring quotes. */
function findClose(s: string): number {
  let q = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (q && c === '\\') i++;
    else if (c === '"') q = !q;
    else if (!q && c === '}') return i;
  }
  return -1;
}
