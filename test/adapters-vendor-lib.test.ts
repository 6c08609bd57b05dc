/**
 * The shared helpers of every parser (src/adapters/lib/): units, N/A, tables, bus ids, vendor
 * names, health words, the node id rule, located errors and metric reading.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countCpuList, formatCpuList, isNotAvailable, normalizeBusId, readInt, readMemoryMiB, readNumber, readPercentRatio, readUsedTotal, readWithUnit, wholeMiB } from '../src/adapters/lib/units.js';
import { DEFAULT_NODE_ID, ParseContext, resolveNodeId } from '../src/adapters/lib/context.js';
import { Metric, pushMetric } from '../src/adapters/metrics.js';
import type { MetricSample } from '../src/adapters/types.js';
import { HetpoolError } from '../src/model/errors.js';
import { boxCells, isRuleLine, readBoxTables, rowTokens, splitWide } from '../src/adapters/lib/text.js';
import { ascendModel, canonicalVendor, deviceVendor, healthFromWord, stripVendorPrefix } from '../src/adapters/lib/vendors.js';

describe('units', () => {
  it('memory: binary by default, SI on request', () => {
    expect(readMemoryMiB('65536 MiB')).toBe(65536);
    expect(readMemoryMiB('32768.00 MiB')).toBe(32768);
    // 11796032 KiB / 1024 = 11519.5625 MiB
    expect(readMemoryMiB('11796032KiB')).toBe(11519.5625);
    // "32 GB" read as GiB (vendor SMI habit): 32 × 1024 = 32768
    expect(readMemoryMiB('32 GB')).toBe(32768);
    // as SI: 32e9 / 1048576 = 30517.578125
    expect(readMemoryMiB('32 GB', { decimalSI: true })).toBe(30517.578125);
    expect(readMemoryMiB('15077', { defaultUnit: 'MiB' })).toBe(15077);
    expect(readMemoryMiB('15077')).toBeUndefined();
    expect(readMemoryMiB('xxxxx MiB')).toBeUndefined();
    expect(readMemoryMiB('12 parsecs')).toBeUndefined();
  });
  it('whole MiB for device sizes: floored, bare numbers are MiB', () => {
    expect(wholeMiB('81559 MiB')).toBe(81559);
    expect(wholeMiB('81559')).toBe(81559);
    // 4.75 GiB × 1024 = 4864 exactly (float noise absorbed, not floored to 4863)
    expect(wholeMiB('4.75 GiB')).toBe(4864);
    // 11796032 KiB / 1024 = 11519.5625 → 11519
    expect(wholeMiB('11796032KiB')).toBe(11519);
    expect(wholeMiB(11519.5625)).toBe(11519);
    expect(wholeMiB('[N/A]')).toBeUndefined();
    // 2^31 MiB does not fit the model's int32
    expect(wholeMiB(2 ** 31)).toBeUndefined();
    expect(wholeMiB('32768', { defaultUnit: 'GB' })).toBe(33554432);
  });
  it('used/total pairs with one unit or two', () => {
    expect(readUsedTotal('810/65536 MiB')).toEqual({ used: 810, total: 65536 });
    expect(readUsedTotal('116MiB / 32768MiB')).toEqual({ used: 116, total: 32768 });
    expect(readUsedTotal('1867 / 15077', { defaultUnit: 'MiB' })).toEqual({ used: 1867, total: 15077 });
    expect(readUsedTotal('0 MiB/ xxxxx MiB')).toEqual({ used: 0, total: undefined });
    expect(readUsedTotal('N/A')).toEqual({});
  });
  it('numbers with units, percentages, N/A', () => {
    expect(readWithUnit('49.0C', ['C'])).toBe(49);
    expect(readWithUnit('35.0°C', ['°C'])).toBe(35);
    expect(readWithUnit('118.0W', ['W'])).toBe(118);
    expect(readWithUnit('118.0V', ['W'])).toBeUndefined();
    expect(readPercentRatio('35%')).toBe(0.35);
    expect(readPercentRatio('101%')).toBeUndefined();
    expect(['N/A', 'n/a', '-', '', ' ', 'unknown', 'Not Supported'].every(isNotAvailable)).toBe(true);
    // nvidia-smi's bracketed placeholders; cnmon's VF "/" (the physical function); JSON-ish "null"
    expect(['[N/A]', '[Not Supported]', '[Requested functionality has been deprecated]', '[Insufficient Permissions]', '/', 'null', 'NA'].every(isNotAvailable)).toBe(true);
    expect(['0', '0 %', 'N/A MiB', 'Enabled'].some(isNotAvailable)).toBe(false);
    // a unit other than the expected ones is refused, not ignored; "12abc" is not 12
    expect(readWithUnit('67.03 W', ['W'])).toBe(67.03);
    expect(readWithUnit('27 C', ['C'])).toBe(27);
    expect(readWithUnit('12abc', ['C'])).toBeUndefined();
    expect(readWithUnit('1980 MHz', ['W'])).toBeUndefined();
    expect(readWithUnit(42, ['W'])).toBe(42);
    expect(readWithUnit(Number.NaN, ['W'])).toBeUndefined();
    // counts and indexes stop at 2^31 − 1 = 2147483647 (the model's int32)
    expect(readInt('2147483647')).toBe(2147483647);
    expect(readInt('2147483648')).toBeUndefined();
    expect(readInt(7)).toBe(7);
    expect(readInt(7.5)).toBeUndefined();
    expect(readNumber('-3')).toBeUndefined();
    expect(readNumber('1e999')).toBeUndefined();
    expect(readInt('0x1f')).toBe(31);
    expect(readInt('3.5')).toBeUndefined();
  });
  it('readers never return NaN, infinities or negatives', () => {
    // Invariant: for any string, each reader returns undefined or a finite number ≥ 0.
    const ok = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v >= 0);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?\d{0,25}(\.\d{0,5})?\s?(MiB|GB|KB|W|C|%|)$/)), (s) => {
        expect(ok(readNumber(s))).toBe(true);
        expect(ok(readInt(s))).toBe(true);
        expect(ok(readMemoryMiB(s))).toBe(true);
        expect(ok(readWithUnit(s, ['W', 'C']))).toBe(true);
        const r = readPercentRatio(s);
        expect(r === undefined || (r >= 0 && r <= 1)).toBe(true);
        const p = readUsedTotal(s);
        expect(ok(p.used) && ok(p.total)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it('CPU lists and PCI addresses', () => {
    expect(countCpuList('0-7,16-23')).toBe(16);
    expect(countCpuList('5')).toBe(1);
    expect(countCpuList('7-3')).toBeUndefined();
    expect(normalizeBusId('00000000:13:00.0')).toBe('0000:13:00.0');
    expect(normalizeBusId('0000:4F:00.0')).toBe('0000:4f:00.0');
    expect(normalizeBusId('4f:00.0')).toBe('0000:4f:00.0');
    expect(normalizeBusId('0000:4f:00')).toBeUndefined();
    // nvidia-smi's 8-digit domain; a domain above 16 bits is not shortened into another one
    expect(normalizeBusId('00000000:19:00.0')).toBe('0000:19:00.0');
    expect(normalizeBusId('00010000:19:00.0')).toBeUndefined();
    expect(formatCpuList([16, 0, 1, 2, 3, 3])).toBe('0-3,16');
    expect(formatCpuList([])).toBe('');
  });
  it('formatCpuList and countCpuList agree', () => {
    // Invariant: a formatted list counts as many CPUs as there are distinct ids.
    fc.assert(fc.property(fc.array(fc.nat(4095), { minLength: 1, maxLength: 200 }), (ids) => {
      expect(countCpuList(formatCpuList(ids))).toBe(new Set(ids).size);
    }), { numRuns: 300 });
  });
});

describe('tables', () => {
  it('box rows, rules and groups', () => {
    expect(isRuleLine('+======================+===============+')).toBe(true);
    expect(isRuleLine('|-------------------------------+----------------------+')).toBe(true);
    expect(boxCells('| 0     910A           | OK            |')).toEqual(['0     910A', 'OK']);
    expect(boxCells('| truncated row without end')).toEqual(['truncated row without end']);
    const tables = readBoxTables(['+---+', '| a |', '| b |', '+---+', '| c |', '+---+', '', '| d |']);
    expect(tables.map((t) => t.map((g) => g.map((r) => r.cells[0])))).toEqual([[['a', 'b'], ['c']], [['d']]]);
  });
  it('row tokens keep pairs, brackets and comma pairs together', () => {
    expect(rowTokens('0%   32C   P0    N/A / N/A')).toEqual(['0%', '32C', 'P0', 'N/A / N/A']);
    expect(rowTokens('0       [0x74a1 : 0x00]       35.0°C   NPS1, SPX')).toEqual(['0', '[0x74a1 : 0x00]', '35.0°C', 'NPS1, SPX']);
    expect(splitWide('Device  [Model : Revision]    Temp')).toEqual(['Device', '[Model : Revision]', 'Temp']);
    // ROCm ≥ 6.1 concise rows print "(Mem, Compute, ID)" as three comma-separated values
    expect(rowTokens('0       2     0x74a1,   28851  35.0°C  NPS1, SPX, 0  0%')).toEqual(['0', '2', '0x74a1,   28851', '35.0°C', 'NPS1, SPX, 0', '0%']);
  });
});

describe('vendors', () => {
  it('canonical names, model prefixes, Ascend naming', () => {
    expect(canonicalVendor('Advanced Micro Devices, Inc. [AMD/ATI]')).toBe('amd');
    expect(canonicalVendor('ascend')).toBe('huawei');
    expect(canonicalVendor('Intel(R) Corporation')).toBe('intel');
    expect(canonicalVendor('Acme')).toBeUndefined();
    expect(canonicalVendor('Chengdu Haiguang IC Design Co., Ltd.')).toBe('hygon');
    expect(canonicalVendor('Mellanox Technologies')).toBe('mellanox');
    // PCI vendor ids (hwloc, lspci) and product words
    expect(['10de', '1002', '19e5', '8086', '10ee', '1d94'].map(canonicalVendor)).toEqual(['nvidia', 'amd', 'huawei', 'intel', 'xilinx', 'hygon']);
    expect(canonicalVendor('NVIDIA Corporation')).toBe('nvidia');
    expect(canonicalVendor('Tesla K40m')).toBe('nvidia');
    expect(canonicalVendor('unknown')).toBeUndefined();
    expect([deviceVendor('Huawei'), deviceVendor('Acme')]).toEqual(['huawei', 'Acme']);
    expect(stripVendorPrefix('AMD Instinct MI300X')).toBe('Instinct MI300X');
    expect(stripVendorPrefix('Iluvatar BI-V150')).toBe('BI-V150');
    expect([ascendModel('910A'), ascendModel('Ascend 910A'), ascendModel('910B2')]).toEqual(['Ascend910A', 'Ascend910A', 'Ascend910B2']);
  });
  it('health words', () => {
    expect(['OK', 'Warning', 'Alarm', 'Critical', 'whatever'].map(healthFromWord)).toEqual(['healthy', 'healthy', 'unhealthy', 'unhealthy', 'unknown']);
  });
});

describe('node id and located errors', () => {
  it('the caller names the node, else a valid host name from the output, else local', () => {
    expect(resolveNodeId({ nodeId: 'n1' }, 'gpu-07')).toBe('n1');
    expect(resolveNodeId({}, 'gpu-07')).toBe('gpu-07');
    expect(resolveNodeId(undefined, 'not a host!')).toBe('local');
    expect(resolveNodeId(undefined)).toBe(DEFAULT_NODE_ID);
    expect(DEFAULT_NODE_ID).toBe('local');
  });
  it('errors and warnings point at <source>:<line>; the parser name stands in for a missing source', () => {
    const named = new ParseContext('npu-smi', { source: 'a.txt' });
    named.warn(3, 'w');
    expect(named.warnings).toEqual([{ at: 'a.txt:3', message: 'w' }]);
    expect(named.inventory().source).toBe('npu-smi:a.txt');
    try {
      named.fail(7, 'bad row');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HetpoolError);
      expect([(e as HetpoolError).code, (e as HetpoolError).path]).toEqual(['parse-error', 'a.txt:7']);
    }
    const bare = new ParseContext('npu-smi');
    expect([bare.at(0), bare.at(2), bare.inventory().source]).toEqual(['npu-smi', 'npu-smi:2', 'npu-smi']);
    expect(() => bare.finish('NPU')).toThrow(/npu-smi: no NPU found/);
  });
  it('a metric is read in its own unit and never as another', () => {
    const out: MetricSample[] = [];
    pushMetric(out, Metric.temperature, 'n/gpu0', '27 C');
    pushMetric(out, Metric.temperature, 'n/gpu1', '67 W');
    pushMetric(out, Metric.power, 'n/gpu0', '67.03 W');
    // "50 %" × 0.01 = 0.5
    pushMetric(out, Metric.utilization, 'n/gpu0', '50 %', 0.01);
    pushMetric(out, Metric.eccUncorrectable, 'n/gpu0', '[N/A]');
    pushMetric(out, Metric.memoryUsedRatio, 'n/gpu0', Number.POSITIVE_INFINITY);
    expect(out.map((m) => [m.metric, m.target, m.value, m.unit])).toEqual([
      ['device.temperature.celsius', 'n/gpu0', 27, 'Cel'],
      ['device.power.watts', 'n/gpu0', 67.03, 'W'],
      ['device.utilization.ratio', 'n/gpu0', 0.5, 'ratio'],
    ]);
  });
});
