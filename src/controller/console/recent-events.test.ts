import { describe, expect, it } from 'vitest';
import { RecentEvents } from './recent-events.ts';
import type { RecordedEvent } from '../events.ts';

const ev = (time: number, namespace: string, kind: string, name: string): RecordedEvent => ({
  time,
  type: 'Normal',
  reason: 'R',
  message: `m${time}`,
  target: { apiVersion: 'agora.dev/v1alpha1', kind, namespace, name },
});

describe('RecentEvents', () => {
  it('finds the newest events of a namespace about the objects asked for', () => {
    const r = new RecentEvents(10);
    r.add(ev(1, 'a', 'Framework', 'fw'));
    r.add(ev(2, 'b', 'Framework', 'fw'));
    r.add(ev(3, 'a', 'Offer', 'fw-o1'));
    r.add(ev(4, 'a', 'Offer', 'other-o1'));
    const got = r.find('a', (kind, name) => (kind === 'Framework' && name === 'fw') || name.startsWith('fw-'));
    expect(got.map((e) => e.time)).toEqual([3, 1]);
    expect(r.find('a', () => true, 1).map((e) => e.time)).toEqual([4]);
  });

  it('keeps at least the last `capacity` events and forgets older ones', () => {
    const r = new RecentEvents(4);
    for (let t = 1; t <= 20; t++) r.add(ev(t, 'a', 'Framework', 'fw'));
    const all = r.find('a', () => true, 100).map((e) => e.time);
    expect(all.slice(0, 4)).toEqual([20, 19, 18, 17]);
    expect(all.length).toBeLessThanOrEqual(5);
  });
});
