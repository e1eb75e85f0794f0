import { describe, expect, it } from 'vitest';
import { optionsFromFlags, type ControllerFlags } from './controller.ts';

describe('optionsFromFlags', () => {
  it.each([
    { name: 'node lost timeout', flags: { 'node-lost-timeout': '30s' }, want: { nodeLostTimeoutMs: 30_000 } },
    { name: 'node lost timeout 0 disables it', flags: { 'node-lost-timeout': '0' }, want: { nodeLostTimeoutMs: 0 } },
    { name: 'offer timeout', flags: { 'offer-timeout': '1m' }, want: { offerTimeoutMs: 60_000 } },
    { name: 'unset flags keep the defaults', flags: {}, want: {} },
    {
      name: 'revocation limits and dry run',
      flags: {
        'revocation-dry-run': 'true',
        'max-revocations-per-cycle': '3',
        'max-revocations-per-minute': '20',
        'max-revocation-grace-period': '1m',
      },
      want: { revocationDryRun: true, maxRevocationsPerCycle: 3, maxRevocationsPerMinute: 20, maxRevocationGracePeriodMs: 60_000 },
    },
    {
      name: 'resources excluded from fair sharing',
      flags: { 'fair-sharing-excluded-resources': 'nvidia.com/gpu, example.com/fpga' },
      want: { fairSharingExcludedResources: ['nvidia.com/gpu', 'example.com/fpga'] },
    },
    { name: 'none excluded', flags: { 'fair-sharing-excluded-resources': '' }, want: { fairSharingExcludedResources: [] } },
    {
      name: 'revocation off',
      flags: { revocation: 'false', 'revocation-interval': '10s' },
      want: { revocation: false, revocationIntervalMs: 10_000 },
    },
  ])('$name', ({ flags, want }) => expect(optionsFromFlags(flags as ControllerFlags)).toEqual(want));

  it('names the flag of a bad revocation setting', () => {
    expect(() => optionsFromFlags({ revocation: 'yes' } as ControllerFlags)).toThrow(/^--revocation: want true or false/);
    expect(() => optionsFromFlags({ 'max-revocations-per-cycle': '-1' } as ControllerFlags)).toThrow(
      /^--max-revocations-per-cycle: want a number/,
    );
  });

  it('names the flag of a bad resource name', () => {
    expect(() => optionsFromFlags({ 'fair-sharing-excluded-resources': 'gpu cards' } as ControllerFlags)).toThrow(
      /^--fair-sharing-excluded-resources: "gpu cards" is not a resource name/,
    );
  });

  it('names the flag of a bad duration', () => {
    expect(() => optionsFromFlags({ 'node-lost-timeout': '5 minutes' } as ControllerFlags)).toThrow(
      /^--node-lost-timeout: invalid duration/,
    );
  });
});
