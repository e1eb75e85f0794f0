import { describe, expect, it } from 'vitest';
import { convergence } from './demo.ts';
import type { FrameworkRow, StatusView } from '../../src/cli/status-view.ts';

const row = (name: string, running: number, share: number, over: Partial<FrameworkRow> = {}): FrameworkRow => ({
  namespace: 'ns',
  name,
  role: name,
  phase: 'Active',
  scheduler: 'builtin',
  dominantShare: share,
  allocated: {},
  tasks: running ? { running } : {},
  outstandingOffers: 0,
  ...over,
});
const view = (...frameworks: FrameworkRow[]): StatusView => ({
  time: '',
  frameworks,
  nodes: [],
  offers: [],
  revocations: [],
  inverseOffers: [],
  reservations: [],
});
const done = { gangFinished: true, serviceReplaced: 1, serviceRunning: 3 };
const pool = view(row('batch-job', 0, 0, { phase: 'Completed', tasks: { finished: 30 }, wanted: 30 }));
const revoke = view(row('early', 2, 0.5, { tasks: { running: 2, killed: 2 } }), row('late', 2, 0.5));

describe('demo convergence', () => {
  it.each([
    { name: 'the DRF paper result', drf: view(row('drf-a', 3, 0.6667), row('drf-b', 2, 0.6667)), pool, revoke, sdk: done, want: [] },
    {
      name: 'A ahead',
      drf: view(row('drf-a', 4, 0.8889), row('drf-b', 1, 0.3333)),
      pool,
      revoke,
      sdk: done,
      want: ['DRF pair: want A 3 tasks / B 2 tasks at shares 2/3, have A 4 (88.9%), B 1 (33.3%)'],
    },
    {
      name: 'batch, gang and service pending',
      drf: view(row('drf-a', 3, 0.6667), row('drf-b', 2, 0.6667)),
      pool: view(row('batch-job', 4, 0.1, { tasks: { running: 4, finished: 10 }, wanted: 30 })),
      revoke,
      sdk: { gangFinished: false, serviceReplaced: 0, serviceRunning: 3 },
      want: ['batch-job: 10/30 finished', 'gang: not finished', 'service: 3/3 running, 0 replaced'],
    },
    {
      name: 'the late framework not arrived yet',
      drf: view(row('drf-a', 3, 0.6667), row('drf-b', 2, 0.6667)),
      pool,
      revoke: view(row('early', 4, 1)),
      sdk: done,
      want: ['revocation: want early 2 / late 2 tasks after 2 revoked, have early 4 (0 revoked), late not arrived'],
    },
    {
      name: 'revoked, the late framework not yet running',
      drf: view(row('drf-a', 3, 0.6667), row('drf-b', 2, 0.6667)),
      pool,
      revoke: view(row('early', 2, 0.5, { tasks: { running: 2, killed: 2 } }), row('late', 0, 0)),
      sdk: done,
      want: ['revocation: want early 2 / late 2 tasks after 2 revoked, have early 2 (2 revoked), late 0'],
    },
  ])('$name', ({ drf, pool: p, revoke: r, sdk, want }) => expect(convergence(drf, p, r, sdk)).toEqual(want));
});
