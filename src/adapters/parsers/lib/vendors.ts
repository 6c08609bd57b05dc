/**
 * Canonical vendor names, device kinds and model names, so every parser writes the same
 * `vendor`/`model` for the same silicon whichever tool read it (docs/adapters-vendors.md explains
 * each kind choice).
 */
import type { DeviceKind, Health } from '../../../model/types.js';

/** Canonical vendor → device kind of its accelerators as hetpool schedules them. */
export const VENDOR_KIND: Readonly<Record<string, DeviceKind>> = {
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
};

/** Names tools print (lower-cased) → canonical vendor. */
const ALIASES: Readonly<Record<string, string>> = {
  ascend: 'huawei', huawei: 'huawei', 'huawei technologies co., ltd.': 'huawei',
  amd: 'amd', 'advanced micro devices, inc. [amd/ati]': 'amd', 'advanced micro devices, inc.': 'amd', 'amd/ati': 'amd',
  hygon: 'hygon', dcu: 'hygon',
  cambricon: 'cambricon', mlu: 'cambricon',
  iluvatar: 'iluvatar', corex: 'iluvatar',
  metax: 'metax',
  intel: 'intel', 'intel(r) corporation': 'intel', 'intel corporation': 'intel',
  nvidia: 'nvidia', 'nvidia corporation': 'nvidia',
  mthreads: 'moorethreads', 'moore threads': 'moorethreads', moorethreads: 'moorethreads',
  enflame: 'enflame',
  mellanox: 'mellanox', 'mellanox technologies': 'mellanox',
};

/** Longer names tools print, matched by a word in them (PCI vendor strings, `Card vendor`). */
const PATTERNS: Array<[RegExp, string]> = [
  [/\bhaiguang\b|\bhygon\b/i, 'hygon'], // Hygon DCUs report "Chengdu Haiguang IC Design Co., Ltd."
  [/\badvanced micro devices\b|\bAMD\b/i, 'amd'],
  [/\bhuawei\b|\bascend\b/i, 'huawei'],
  [/\bcambricon\b/i, 'cambricon'],
  [/\biluvatar\b/i, 'iluvatar'],
  [/\bmetax\b/i, 'metax'],
  [/\bintel\b/i, 'intel'],
  [/\bnvidia\b/i, 'nvidia'],
  [/\bmellanox\b/i, 'mellanox'],
];

/** Canonical vendor for a name a tool printed, or undefined when unknown. */
export function canonicalVendor(name: string | undefined | null): string | undefined {
  if (!name) return undefined;
  const exact = ALIASES[name.trim().toLowerCase()];
  if (exact) return exact;
  return PATTERNS.find(([re]) => re.test(name))?.[1];
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
