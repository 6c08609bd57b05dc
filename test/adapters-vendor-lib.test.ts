/** The shared reading helpers of the vendor parsers: units, N/A, tables, bus ids, health words. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countCpuList, isNotAvailable, normalizeBusId, readInt, readMemoryMiB, readNumber, readPercentRatio, readUsedTotal, readWithUnit } from '../src/adapters/parsers/lib/units.js';
import { boxCells, isRuleLine, readBoxTables, rowTokens, splitWide } from '../src/adapters/parsers/lib/text.js';
import { ascendModel, canonicalVendor, healthFromWord, stripVendorPrefix } from '../src/adapters/parsers/lib/vendors.js';

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
    expect(stripVendorPrefix('AMD Instinct MI300X')).toBe('Instinct MI300X');
    expect(stripVendorPrefix('Iluvatar BI-V150')).toBe('BI-V150');
    expect([ascendModel('910A'), ascendModel('Ascend 910A'), ascendModel('910B2')]).toEqual(['Ascend910A', 'Ascend910A', 'Ascend910B2']);
  });
  it('health words', () => {
    expect(['OK', 'Warning', 'Alarm', 'Critical', 'whatever'].map(healthFromWord)).toEqual(['healthy', 'healthy', 'unhealthy', 'unhealthy', 'unknown']);
  });
});
