import { describe, expect, it } from 'vitest';
import { frameworkLeaseName, frameworkOfLease } from './group.ts';

describe('framework heartbeat Leases', () => {
  it.each([
    { lease: frameworkLeaseName('spark'), want: 'spark' },
    { lease: 'agora-framework-', want: '' },
    { lease: 'agora-controller', want: undefined },
    { lease: 'kube-scheduler', want: undefined },
  ])('frameworkOfLease($lease)', ({ lease, want }) => {
    expect(frameworkOfLease(lease)).toBe(want);
  });
  it('names the Lease agora-framework-<name>', () => {
    expect(frameworkLeaseName('web')).toBe('agora-framework-web');
  });
});
