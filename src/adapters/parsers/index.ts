/** NVIDIA, DCGM, Prometheus and Kubernetes parsers (one module each in this folder). */
import type { AgentParser } from '../types.js';
import { dcgmExporter } from './dcgm-exporter.js';
import { k8sNode } from './k8s-node.js';
import { nvidiaGpuExporter } from './nvidia-gpu-exporter.js';
import { nvidiaSmiCsv } from './nvidia-smi-csv.js';
import { nvidiaSmiDmon } from './nvidia-smi-dmon.js';
import { nvidiaSmiList } from './nvidia-smi-list.js';
import { nvidiaSmiMigLgi, nvidiaSmiMigLgip } from './nvidia-smi-mig.js';
import { nvidiaSmiNvlink } from './nvidia-smi-nvlink.js';
import { nvidiaSmiQ } from './nvidia-smi-q.js';
import { nvidiaSmiTable } from './nvidia-smi-table.js';
import { nvidiaSmiTopo } from './nvidia-smi-topo.js';
import { nvidiaSmiXml } from './nvidia-smi-xml.js';

/**
 * The core parsers, most specific `detect` first (auto-detection takes the first match): XML and
 * JSON before text, DCGM before the generic exporter, the table before -L.
 */
export const coreParsers: AgentParser[] = [
  nvidiaSmiXml,
  k8sNode,
  nvidiaSmiQ,
  nvidiaSmiMigLgip,
  nvidiaSmiMigLgi,
  nvidiaSmiTopo,
  nvidiaSmiTable,
  nvidiaSmiNvlink,
  nvidiaSmiList,
  nvidiaSmiDmon,
  dcgmExporter,
  nvidiaGpuExporter,
  nvidiaSmiCsv,
];
