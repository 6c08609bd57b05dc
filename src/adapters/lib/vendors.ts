/**
 * Canonical vendor names, device kinds and model names, so every parser (and merge, and the
 * catalogue) writes the same `vendor`/`model` for the same silicon whichever tool read it
 * (docs/adapters-vendors.md explains each kind choice).
 */
import type { DeviceKind, Health } from '../../model/types.js';

/** Every canonical vendor name hetpool writes into `device.vendor` and `hetpool.io/vendor`. */
export const CANONICAL_VENDORS = [
  'nvidia', 'huawei', 'amd', 'hygon', 'cambricon', 'iluvatar', 'metax', 'intel', 'xilinx', 'moorethreads', 'enflame', 'mellanox',
] as const;
/** A canonical vendor name. */
export type CanonicalVendor = (typeof CANONICAL_VENDORS)[number];

/** Canonical vendor → device kind of its accelerators as hetpool schedules them. */
export const VENDOR_KIND: Readonly<Partial<Record<CanonicalVendor, DeviceKind>>> = {
  huawei: 'npu', // Ascend: a neural processor with its own CANN stack, not a GPU
  amd: 'gpu',
  hygon: 'gpu', // DCU: a GPGPU running the ROCm-derived DTK (HIP) stack
  cambricon: 'gpu', // MLU: general-purpose accelerator card scheduled like a GPU (whole or shared)
  iluvatar: 'gpu', // CoreX: a CUDA-compatible GPGPU
  metax: 'gpu', // C-series: a GPGPU with the MACA (CUDA-like) stack
  intel: 'gpu',
  nvidia: 'gpu',
  moorethreads: 'gpu',
  enflame: 'gpu',
  xilinx: 'fpga', // Alveo: FPGA cards
};

/** Names tools print (lower-cased, whole) → canonical vendor; PCI vendor ids included. */
const ALIASES: Readonly<Record<string, CanonicalVendor>> = {
  ascend: 'huawei', 'huawei technologies co., ltd.': 'huawei', hisilicon: 'huawei', '19e5': 'huawei',
  'advanced micro devices, inc. [amd/ati]': 'amd', 'advanced micro devices, inc.': 'amd', 'amd/ati': 'amd', '1002': 'amd',
  dcu: 'hygon', '1d94': 'hygon',
  mlu: 'cambricon', cabc: 'cambricon',
  corex: 'iluvatar',
  'intel(r) corporation': 'intel', 'intel corporation': 'intel', '8086': 'intel',
  'nvidia corporation': 'nvidia', '10de': 'nvidia',
  mthreads: 'moorethreads', 'moore threads': 'moorethreads',
  alveo: 'xilinx', '10ee': 'xilinx',
  'mellanox technologies': 'mellanox', '15b3': 'mellanox',
};

/**
 * Longer names tools print, matched by a word in them (PCI vendor strings, `Card vendor`,
 * product names). Order matters: Hygon before AMD (DTK tools print AMD-derived strings).
 */
const PATTERNS: Array<[RegExp, CanonicalVendor]> = [
  [/\bhaiguang\b|\bhygon\b/i, 'hygon'], // Hygon DCUs report "Chengdu Haiguang IC Design Co., Ltd."
  [/\badvanced micro devices\b|\bamd\b|\bradeon\b|\binstinct\b/i, 'amd'],
  [/\bhuawei\b|\bascend\b|\bhisilicon\b/i, 'huawei'],
  [/\bcambricon\b|\bmlu\d/i, 'cambricon'],
  [/\biluvatar\b|\bcorex\b/i, 'iluvatar'],
  [/\bmetax\b/i, 'metax'],
  [/\bintel\b/i, 'intel'],
  [/\bnvidia\b|\bgeforce\b|\bquadro\b|\btesla\b/i, 'nvidia'],
  [/\bxilinx\b|\balveo\b/i, 'xilinx'],
  [/\bmoore ?threads\b/i, 'moorethreads'],
  [/\benflame\b/i, 'enflame'],
  [/\bmellanox\b/i, 'mellanox'],
];

/**
 * Canonical vendor for a name a tool printed (`NVIDIA Corporation`, `Huawei`, `AMD`, PCI vendor
 * id `10de`), or undefined when unknown — callers decide what an unknown vendor means.
 */
export function canonicalVendor(name: string | undefined | null): CanonicalVendor | undefined {
  if (!name) return undefined;
  const s = name.trim().toLowerCase();
  if ((CANONICAL_VENDORS as readonly string[]).includes(s)) return s as CanonicalVendor;
  const exact = ALIASES[s];
  if (exact) return exact;
  return PATTERNS.find(([re]) => re.test(name))?.[1];
}

/** `vendor` as written on a device: the canonical name when known, else the name as given. */
export function deviceVendor(name: string): string {
  return canonicalVendor(name) ?? name;
}

/** Drop a leading vendor word ("AMD Instinct MI300X" → "Instinct MI300X", "Intel(R) Graphics" → "Graphics"). */
export function stripVendorPrefix(model: string): string {
  const out = model.trim().replace(/^(?:AMD|Intel\(R\)|Intel|Iluvatar|Hygon|MetaX|Cambricon|Huawei|NVIDIA)\s+/i, '').trim();
  return out || model.trim();
}

/**
 * Ascend model names: npu-smi prints "910A", `npu-smi info -m` "Ascend 910A", gpustack
 * "910B2"; all become "Ascend910A"/"Ascend910B2" (Huawei's own chip naming, as in arch_family).
 */
export function ascendModel(name: string): string {
  const t = name.trim().replace(/^Ascend\s*/i, '');
  return `Ascend${t}`;
}

/**
 * A tool's health word → model health. The vocabulary is npu-smi's (OK / Warning / Alarm /
 * Critical), shared by several SMIs: OK and Warning (a minor alarm that leaves the device usable,
 * as the Ascend device plugin also treats it) are healthy; Alarm and Critical are unhealthy;
 * anything else is unknown.
 */
export function healthFromWord(word: string | undefined): Health {
  const w = (word ?? '').trim().toLowerCase();
  if (w === 'ok' || w === 'healthy' || w === 'normal' || w === 'warning') return 'healthy';
  if (w === 'alarm' || w === 'critical' || w === 'unhealthy' || w === 'error' || w === 'fault') return 'unhealthy';
  return 'unknown';
}
