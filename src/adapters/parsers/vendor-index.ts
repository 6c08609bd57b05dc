/** Domestic and other vendors' accelerator agents, CPU agents, hwloc and InfiniBand parsers. */
import type { AgentParser } from '../types.js';
import { cnmonParser } from './cnmon.js';
import { gpustackRuntimeParser } from './gpustack-runtime.js';
import { hwlocXmlParser } from './hwloc-xml.js';
import { hySmiParser } from './hy-smi.js';
import { ibstatParser } from './ibstat.js';
import { ibstatusParser } from './ibstatus.js';
import { ibvDevinfoParser } from './ibv_devinfo.js';
import { ixsmiParser } from './ixsmi.js';
import { lscpuJsonParser } from './lscpu-json.js';
import { lscpuTextParser } from './lscpu-text.js';
import { mxSmiParser } from './mx-smi.js';
import { npuSmiParser } from './npu-smi.js';
import { procCpuinfoParser } from './proc-cpuinfo.js';
import { rocmSmiParser } from './rocm-smi.js';
import { rocminfoParser } from './rocminfo.js';
import { xpuSmiParser } from './xpu-smi.js';

/**
 * Parsers for Huawei Ascend, AMD, Hygon, Cambricon, Iluvatar, MetaX and Intel accelerators,
 * gpustack-runtime JSON, lscpu, /proc/cpuinfo, hwloc XML and InfiniBand tools. Each one's
 * `detect` accepts only its own format (test/adapters-vendor-detect.test.ts holds that over every
 * captured sample in fixtures/agents), so the order here does not matter for `--agent auto`.
 */
export const vendorParsers: AgentParser[] = [
  npuSmiParser,
  rocmSmiParser,
  rocminfoParser,
  hySmiParser,
  cnmonParser,
  ixsmiParser,
  mxSmiParser,
  xpuSmiParser,
  gpustackRuntimeParser,
  lscpuJsonParser,
  lscpuTextParser,
  procCpuinfoParser,
  hwlocXmlParser,
  // One group (`infiniband`): discovery tries them in this order, the first that works wins.
  ibstatParser,
  ibvDevinfoParser,
  ibstatusParser,
];
