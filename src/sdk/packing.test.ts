import { describe, expect, it } from 'vitest';
import { copiesThatFit, pack, type Quantities } from './packing.ts';

describe('copiesThatFit', () => {
  it.each<{ name: string; offered: Quantities; per: Quantities; max: number; want: number }>([
    {
      name: 'DRF paper A on 9 CPU / 18Gi',
      offered: { cpu: '9', memory: '18Gi' },
      per: { cpu: '1', memory: '4Gi' },
      max: Infinity,
      want: 4,
    },
    {
      name: 'DRF paper B on 9 CPU / 18Gi',
      offered: { cpu: '9', memory: '18Gi' },
      per: { cpu: '3', memory: '1Gi' },
      max: Infinity,
      want: 3,
    },
    { name: 'capped by max', offered: { cpu: '9', memory: '18Gi' }, per: { cpu: '1', memory: '1Gi' }, max: 2, want: 2 },
    { name: 'exact millicores', offered: { cpu: '1500m' }, per: { cpu: '0.5' }, max: Infinity, want: 3 },
    { name: 'missing resource', offered: { cpu: '8' }, per: { cpu: '1', 'nvidia.com/gpu': 1 }, max: Infinity, want: 0 },
    { name: 'nothing fits', offered: { cpu: '500m', memory: '1Gi' }, per: { cpu: '1', memory: '1Gi' }, max: Infinity, want: 0 },
  ])('$name → $want', ({ offered, per, max, want }) => {
    expect(copiesThatFit(offered, per, max)).toBe(want);
  });
});

describe('pack', () => {
  it('takes tasks first-fit and reports the shortfall of the rest', () => {
    const t = (name: string, cpu: string) => ({ name, resources: { cpu, memory: '1Gi' } });
    const got = pack({ cpu: '3', memory: '4Gi' }, [t('a', '2'), t('b', '2'), t('c', '1')]);
    expect(got.fits.map((x) => x.name)).toEqual(['a', 'c']);
    expect(got.skipped).toEqual([{ task: t('b', '2'), shortfalls: [{ resource: 'cpu', asked: 2000, free: 1000, shortBy: 1000 }] }]);
    expect(got.remaining).toEqual({ cpu: 0, memory: 2 * 1024 ** 3 });
  });

  it('stops at max', () => {
    const got = pack({ cpu: '8' }, [{ resources: { cpu: '1' } }, { resources: { cpu: '1' } }], 1);
    expect(got.fits).toHaveLength(1);
    expect(got.skipped).toHaveLength(1);
  });
});
