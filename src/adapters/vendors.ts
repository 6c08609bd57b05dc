/** Canonical vendor names: every adapter writes these into `device.vendor` and `hetpool.io/vendor`. */

export const CANONICAL_VENDORS = ['nvidia', 'huawei', 'amd', 'hygon', 'cambricon', 'iluvatar', 'metax', 'intel', 'xilinx', 'unknown'] as const;
export type CanonicalVendor = (typeof CANONICAL_VENDORS)[number];

/** Patterns tried in order; the first that matches names the vendor. */
const PATTERNS: Array<[RegExp, CanonicalVendor]> = [
  [/nvidia|geforce|quadro|tesla|^10de$/i, 'nvidia'],
  [/huawei|ascend|hisilicon|^19e5$/i, 'huawei'],
  [/hygon|\bdcu\b|^1d94$/i, 'hygon'],
  [/\bamd\b|advanced micro|radeon|instinct|^1002$/i, 'amd'],
  [/cambricon|\bmlu/i, 'cambricon'],
  [/iluvatar|corex/i, 'iluvatar'],
  [/metax|\bmxc?\d/i, 'metax'],
  [/intel|^8086$/i, 'intel'],
  [/xilinx|alveo|^10ee$/i, 'xilinx'],
];

/** Map any vendor spelling (`NVIDIA Corporation`, `Huawei`, `AMD`, PCI vendor id `10de`) to its canonical name. */
export function canonicalVendor(name: string | undefined): CanonicalVendor {
  if (!name) return 'unknown';
  const s = name.trim();
  if ((CANONICAL_VENDORS as readonly string[]).includes(s.toLowerCase())) return s.toLowerCase() as CanonicalVendor;
  for (const [re, v] of PATTERNS) if (re.test(s)) return v;
  return 'unknown';
}
