import { describe, expect, it } from 'vitest';
import { optionsFromFlags, type ControllerFlags } from './controller.ts';

describe('optionsFromFlags', () => {
  it.each([
    { name: 'node lost timeout', flags: { 'node-lost-timeout': '30s' }, want: { nodeLostTimeoutMs: 30_000 } },
    { name: 'node lost timeout 0 disables it', flags: { 'node-lost-timeout': '0' }, want: { nodeLostTimeoutMs: 0 } },
    { name: 'offer timeout', flags: { 'offer-timeout': '1m' }, want: { offerTimeoutMs: 60_000 } },
    { name: 'unset flags keep the defaults', flags: {}, want: {} },
  ])('$name', ({ flags, want }) => expect(optionsFromFlags(flags as ControllerFlags)).toEqual(want));

  it('names the flag of a bad duration', () => {
    expect(() => optionsFromFlags({ 'node-lost-timeout': '5 minutes' } as ControllerFlags)).toThrow(
      /^--node-lost-timeout: invalid duration/,
    );
  });
});
