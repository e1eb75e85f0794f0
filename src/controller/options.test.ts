import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, formatDuration, parseDuration } from './options.ts';

describe('parseDuration', () => {
  it.each([
    { in: '1s', want: 1000 },
    { in: '500ms', want: 500 },
    { in: '1m30s', want: 90_000 },
    { in: '2h', want: 7_200_000 },
    { in: '5', want: 5000 },
    { in: '0.5s', want: 500 },
    { in: '0', want: 0 },
    { in: '5m0s', want: 300_000 },
  ])('$in → $want ms', ({ in: text, want }) => expect(parseDuration(text)).toBe(want));

  it.each(['', 's', '1x', '1s2', '-1s'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(/invalid duration/));
});

describe('formatDuration', () => {
  it.each([
    { ms: 0, want: '0ms' },
    { ms: 500, want: '500ms' },
    { ms: 1500, want: '1.5s' },
    { ms: 10_000, want: '10s' },
    { ms: 90_000, want: '1m30s' },
    { ms: 300_000, want: '5m0s' },
    { ms: 3_600_000, want: '1h0m0s' },
    { ms: 3_723_000, want: '1h2m3s' },
  ])('$ms ms → $want, and back', ({ ms, want }) => {
    expect(formatDuration(ms)).toBe(want);
    expect(parseDuration(want)).toBe(ms);
  });
});

describe('DEFAULT_OPTIONS', () => {
  it('gives up on a node not Ready after 5m, as Kubernetes evicts its Pods after 300s', () => {
    expect(DEFAULT_OPTIONS.nodeLostTimeoutMs).toBe(300_000);
  });
});
