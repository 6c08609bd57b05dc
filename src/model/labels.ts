/**
 * The one label scheme every adapter fills (§6i: a unified label scheme forming a global view).
 * Node labels: kind of compute present, arch, form, site, vendor/model of its devices, precisions.
 */
export const LABEL_PREFIX = 'hetpool.io/';
export const Labels = {
  kind: 'hetpool.io/kind', // gpu | npu | fpga | asic | cpu
  arch: 'hetpool.io/arch', // x86_64 | aarch64 | riscv64
  vendor: 'hetpool.io/vendor', // nvidia, huawei, amd, hygon, cambricon, iluvatar, metax, intel, xilinx…
  model: 'hetpool.io/model', // A100-SXM4-80GB, Ascend910B, …
  form: 'hetpool.io/form', // hardware | cloud | edge
  site: 'hetpool.io/site',
  zone: 'hetpool.io/zone',
  region: 'hetpool.io/region',
  rack: 'hetpool.io/rack',
  deviceCount: 'hetpool.io/device.count',
  precision: (p: string) => `hetpool.io/precision.${p}`, // "true" when a device supports it
} as const;
