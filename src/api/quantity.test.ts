import { describe, expect, it } from 'vitest';
import { add, formatQuantity, isZero, parseQuantity, parseResourceList, subtract } from './quantity.ts';

describe('parseQuantity', () => {
  it.each([
    { name: 'cpu whole cores', input: '2', resource: 'cpu', want: 2000 },
    { name: 'cpu millicores', input: '1500m', resource: 'cpu', want: 1500 },
    { name: 'cpu decimal', input: '0.5', resource: 'cpu', want: 500 },
    { name: 'cpu leading dot', input: '.25', resource: 'cpu', want: 250 },
    { name: 'cpu micro rounds up', input: '1u', resource: 'cpu', want: 1 },
    { name: 'cpu nano rounds up', input: '1500001n', resource: 'cpu', want: 2 },
    { name: 'cpu sub-milli rounds up', input: '0.0001', resource: 'cpu', want: 1 },
    { name: 'cpu number input', input: 3, resource: 'cpu', want: 3000 },
    { name: 'cpu number fraction', input: 0.1, resource: 'cpu', want: 100 },
    { name: 'cpu kilo', input: '1k', resource: 'cpu', want: 1_000_000 },
    { name: 'cpu plus sign', input: '+1', resource: 'cpu', want: 1000 },
    { name: 'memory Gi', input: '4Gi', resource: 'memory', want: 4 * 2 ** 30 },
    { name: 'memory Ki', input: '1Ki', resource: 'memory', want: 1024 },
    { name: 'memory M', input: '1M', resource: 'memory', want: 1_000_000 },
    { name: 'memory plain bytes', input: '123', resource: 'memory', want: 123 },
    { name: 'memory fractional Gi', input: '1.5Gi', resource: 'memory', want: 1.5 * 2 ** 30 },
    { name: 'memory exponent e', input: '1e3', resource: 'memory', want: 1000 },
    { name: 'memory exponent E', input: '1E3', resource: 'memory', want: 1000 },
    { name: 'memory negative exponent rounds up', input: '15e-1', resource: 'memory', want: 2 },
    { name: 'memory milli rounds up to a byte', input: '500m', resource: 'memory', want: 1 },
    { name: 'memory exa decimal', input: '0.001E', resource: 'memory', want: 1e15 },
    { name: 'gpu count', input: '2', resource: 'nvidia.com/gpu', want: 2 },
    { name: 'ephemeral-storage Ti', input: '1Ti', resource: 'ephemeral-storage', want: 2 ** 40 },
    { name: 'zero', input: '0', resource: 'cpu', want: 0 },
    { name: 'negative zero', input: '-0', resource: 'cpu', want: 0 },
  ])('$name: $input', ({ input, resource, want }) => {
    expect(parseQuantity(input, resource)).toBe(want);
  });

  it.each([
    { name: 'letters', input: 'abc', wantError: /invalid quantity "abc": expected a number/ },
    { name: 'empty', input: '', wantError: /expected a number/ },
    { name: 'unknown suffix', input: '1Gb', wantError: /unknown suffix "Gb"/ },
    { name: 'lowercase ki', input: '1ki', wantError: /unknown suffix "ki"/ },
    { name: 'space', input: '1 Gi', wantError: /unknown suffix " Gi"/ },
    { name: 'negative', input: '-1', wantError: /must not be negative/ },
    { name: 'two dots', input: '1.2.3', wantError: /unknown suffix/ },
    { name: 'too large', input: '1Ei', wantError: /larger than 9007199254740991 bytes/ },
    { name: 'exponent with suffix', input: '1e3Gi', wantError: /unknown suffix/ },
    { name: 'huge exponent', input: '1e400', wantError: /exponent out of range/ },
  ])('rejects $name', ({ input, wantError }) => {
    expect(() => parseQuantity(input, 'memory')).toThrow(wantError);
  });
});

describe('formatQuantity', () => {
  it.each([
    { value: 1500, resource: 'cpu', want: '1500m' },
    { value: 2000, resource: 'cpu', want: '2' },
    { value: 10, resource: 'cpu', want: '10m' },
    { value: 0, resource: 'cpu', want: '0' },
    { value: 4 * 2 ** 30, resource: 'memory', want: '4Gi' },
    { value: 1536 * 2 ** 20, resource: 'memory', want: '1536Mi' },
    { value: 1_000_000, resource: 'memory', want: '1M' },
    { value: 1_024_000, resource: 'memory', want: '1000Ki' },
    { value: 123, resource: 'memory', want: '123' },
    { value: 2 ** 40, resource: 'ephemeral-storage', want: '1Ti' },
    { value: 110, resource: 'pods', want: '110' },
    { value: 1000, resource: 'pods', want: '1k' },
    { value: 1001, resource: 'ports', want: '1001' },
    { value: 2, resource: 'nvidia.com/gpu', want: '2' },
  ])('$value $resource -> $want', ({ value, resource, want }) => {
    expect(formatQuantity(value, resource)).toBe(want);
    expect(parseQuantity(want, resource)).toBe(value); // round trip
  });

  it('rejects non-integers', () => {
    expect(() => formatQuantity(1.5, 'memory')).toThrow(/not a non-negative safe integer/);
  });
});

describe('ResourceList helpers', () => {
  const a = { cpu: 2000, memory: 4096 };
  const b = { cpu: 500, 'nvidia.com/gpu': 1 };
  it.each([
    { name: 'add', got: () => add(a, b), want: { cpu: 2500, memory: 4096, 'nvidia.com/gpu': 1 } },
    { name: 'subtract clamps at zero', got: () => subtract(a, b), want: { cpu: 1500, memory: 4096, 'nvidia.com/gpu': 0 } },
    { name: 'isZero', got: () => isZero({ cpu: 0 }), want: true },
    { name: 'isZero non-zero', got: () => isZero(a), want: false },
  ])('$name', ({ got, want }) => {
    expect(got()).toEqual(want);
  });

  it('parseResourceList names the resource in errors', () => {
    expect(() => parseResourceList({ cpu: '1', memory: 'lots' })).toThrow(/^memory: invalid quantity "lots"/);
  });
});
