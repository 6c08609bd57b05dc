/**
 * Reading values out of agent text, the one implementation every parser uses: "not available"
 * markers, plain numbers and integers, numbers followed by a unit ("49.0C", "67.03 W", "81559 MiB",
 * "32 GB"), percentages, used/total pairs, CPU lists and PCI addresses. Every reader returns
 * `undefined` instead of NaN, Infinity or a negative number, and never reads a half-understood
 * token as a number ("12abc", "1e9", "0x1f" as decimal): a parser never passes on a number it
 * could not read for sure.
 */

/**
 * Values agents print when a field is absent, unsupported, deprecated or redacted (nvidia-smi's
 * `[N/A]`, `[Not Supported]`, `[Requested functionality has been deprecated]`, `[Insufficient
 * Permissions]`; vendor SMIs' `N/A`, `NA`, `-`, `/`, `none`, `null`, `unknown`), brackets optional.
 */
const NOT_AVAILABLE = /^\[?\s*(?:n\/?a|not available|not supported|unknown|unknown error|requested functionality has been deprecated|insufficient permissions|none|null|-+|\/)?\s*\]?$/i;

/** True for `N/A`, `[N/A]`, `NA`, `-`, `/`, `Not Supported`, `unknown`, empty and similar "no value" markers. */
export function isNotAvailable(text: string | undefined | null): boolean {
  if (text === undefined || text === null) return true;
  return NOT_AVAILABLE.test(text.trim());
}

const DECIMAL = /^\+?(\d+(?:\.\d+)?|\.\d+)$/;

/**
 * A plain non-negative decimal ("42", "67.2") or a finite number ≥ 0, else undefined (N/A, "1e9",
 * "0x1f", "-3", "12abc", NaN). Strict on purpose: a half-read token must not become a number.
 */
export function readNumber(text: string | number | undefined | null): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (isNotAvailable(text)) return undefined;
  const t = (text as string).trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Largest integer a model count or index may hold (int32, as the schemas require). */
const INT_MAX = 2 ** 31 - 1;

/** A non-negative integer ≤ 2³¹−1 in decimal ("7") or hex ("0x1f"), or such a number, else undefined. */
export function readInt(text: string | number | undefined | null): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 && text <= INT_MAX ? text : undefined;
  if (isNotAvailable(text)) return undefined;
  const t = (text as string).trim();
  let v: number;
  if (/^\+?\d+$/.test(t)) v = Number(t);
  else if (/^0x[0-9a-f]+$/i.test(t)) v = Number.parseInt(t.slice(2), 16);
  else return undefined;
  return Number.isSafeInteger(v) && v >= 0 && v <= INT_MAX ? v : undefined;
}

/**
 * A number followed by one of the expected units, e.g. `readWithUnit("49.0C", ["C"])` → 49,
 * `readWithUnit("67.03 W", ["W"])` → 67.03. Case-insensitive on the unit; a bare number is
 * accepted too (some versions and `--format=csv,nounits` drop the unit); any other unit is
 * refused (a power reading is never taken for a temperature). A finite number ≥ 0 passes as is.
 */
export function readWithUnit(text: string | number | undefined | null, units: readonly string[]): number | undefined {
  if (typeof text === 'number') return readNumber(text);
  if (isNotAvailable(text)) return undefined;
  const t = (text as string).trim();
  const m = /^(\+?(?:\d+(?:\.\d+)?|\.\d+))\s*([^\d\s.].*)?$/.exec(t);
  if (!m) return undefined;
  const unit = (m[2] ?? '').trim().toLowerCase();
  if (unit !== '' && !units.some((u) => u.toLowerCase() === unit)) return undefined;
  return readNumber(m[1]);
}

/** "35%", "35 %" or "35" → 0.35; values above 100 % are rejected (undefined), not clamped. */
export function readPercentRatio(text: string | number | undefined | null): number | undefined {
  const v = readWithUnit(text, ['%']);
  if (v === undefined || v > 100) return undefined;
  return v / 100;
}

/** Bytes per unit. Binary prefixes always; SI letters mean binary unless `decimalSI` is set. */
const BINARY: Record<string, number> = {
  b: 1, byte: 1, bytes: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};
const SI_LETTERS: Record<string, number> = { k: 1, kb: 1, m: 2, mb: 2, g: 3, gb: 3, t: 4, tb: 4 };

/** How `readMemoryMiB` reads units. */
export interface MemoryReadOptions {
  /**
   * Read "KB/MB/GB" as powers of 1000 (true) or 1024 (false, default). Vendor SMIs print "MB"
   * and mean MiB (npu-smi's `32768` HBM MB is 32 GiB); storage-style tools mean SI.
   */
  decimalSI?: boolean;
  /** Unit assumed when the text carries none (e.g. a column header said "(MB)" or "[MiB]"). */
  defaultUnit?: string;
}

/**
 * Memory size text → MiB (may be fractional; `wholeMiB` floors it). "65536 MiB" → 65536,
 * "32768.00 MiB" → 32768, "11796032KiB" → 11519.5625, "32 GB" → 32768 (binary) or
 * 30517.578125 (decimalSI). A bare number needs `defaultUnit`; an unknown unit → undefined.
 */
export function readMemoryMiB(text: string | undefined | null, options: MemoryReadOptions = {}): number | undefined {
  if (isNotAvailable(text)) return undefined;
  const m = /^(\+?(?:\d+(?:\.\d+)?|\.\d+))\s*([a-z]*)$/i.exec((text as string).trim());
  if (!m) return undefined;
  const value = readNumber(m[1]);
  if (value === undefined) return undefined;
  const unit = (m[2] || options.defaultUnit || '').toLowerCase();
  let bytesPer: number | undefined = BINARY[unit];
  if (bytesPer === undefined && unit in SI_LETTERS) {
    bytesPer = (options.decimalSI ? 1000 : 1024) ** SI_LETTERS[unit];
  }
  if (bytesPer === undefined) return undefined;
  const mib = (value * bytesPer) / 1024 ** 2;
  return Number.isFinite(mib) ? mib : undefined;
}

/**
 * MiB as a whole number for a device or node size: floored (a device never claims memory it
 * lacks; 1e-9 absorbs float noise such as 4.75 × 1024), undefined above 2³¹−1 MiB. Accepts the
 * fractional MiB of `readMemoryMiB`/`bytesToMiB`, or memory text with bare numbers read as MiB
 * (nvidia-smi's unit; pass `options` for another default).
 */
export function wholeMiB(v: number | string | undefined | null, options: MemoryReadOptions = { defaultUnit: 'MiB' }): number | undefined {
  const mib = typeof v === 'number' ? readNumber(v) : readMemoryMiB(v, options);
  if (mib === undefined) return undefined;
  const whole = Math.floor(mib + 1e-9);
  return whole <= INT_MAX ? whole : undefined;
}

/** Bytes (a decimal integer string or number) → MiB, fractional. */
export function bytesToMiB(bytes: string | number | undefined | null): number | undefined {
  const v = readNumber(bytes);
  return v === undefined ? undefined : v / 1024 ** 2;
}

/**
 * Parse a "used / total" pair such as "1867 / 15077", "810/65536 MiB", "116MiB / 32768MiB" or
 * "0 MiB/ xxxxx MiB". A unit printed once at the end applies to both sides.
 */
export function readUsedTotal(text: string | undefined | null, options: MemoryReadOptions = {}): { used?: number; total?: number } {
  if (isNotAvailable(text)) return {};
  const parts = (text as string).split('/');
  if (parts.length !== 2) return {};
  const [a, b] = parts.map((p) => p.trim());
  const trailingUnit = /([a-z]+)$/i.exec(b)?.[1];
  const aUnit = /[a-z]$/i.test(a) ? undefined : trailingUnit;
  return {
    used: readMemoryMiB(a, { ...options, defaultUnit: aUnit ?? options.defaultUnit }),
    total: readMemoryMiB(b, options),
  };
}

/**
 * Count the CPUs in a Linux CPU list ("0-7,16-23" → 16). Undefined if malformed or reversed.
 * Source: the cpulist format of the kernel (Documentation/admin-guide/cputopology.rst).
 */
export function countCpuList(text: string | undefined | null): number | undefined {
  if (isNotAvailable(text)) return undefined;
  let n = 0;
  for (const part of (text as string).trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    n += hi - lo + 1;
  }
  return n;
}

/** CPU ids → a Linux CPU list, sorted and deduplicated ([16,0,1,2,3] → "0-3,16"); the inverse of `countCpuList`'s format. */
export function formatCpuList(ids: readonly number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/**
 * Normalise a PCI address to `dddd:bb:dd.f` lower-case (the lspci form), so the same card read by
 * two tools ("00000000:13:00.0" from nvidia-smi or ixsmi, "0000:4F:00.0" from cnmon) compares
 * equal. Undefined if the text is not a PCI address or its domain does not fit 16 bits.
 */
export function normalizeBusId(text: string | undefined | null): string | undefined {
  if (isNotAvailable(text)) return undefined;
  const m = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec((text as string).trim());
  if (!m) return undefined;
  const domain = (m[1] ?? '0').replace(/^0+(?=[0-9a-f]{4})/i, '').padStart(4, '0');
  if (domain.length > 4) return undefined;
  return `${domain}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/** `Yes`/`No`/`Enabled`/`Disabled`/`true`/`1`/`0` → 1/0, anything else → undefined. */
export function yesNo(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (['yes', 'enabled', 'true', 'active', '1'].includes(s)) return 1;
  if (['no', 'disabled', 'false', 'inactive', '0'].includes(s)) return 0;
  return undefined;
}
