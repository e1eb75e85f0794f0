import { describe, expect, it } from 'vitest';
import type { IFramework } from '../api/index.ts';
import { countTaskStates, frameworkRowBase } from './framework-row.ts';

const fw = (over: Partial<IFramework> = {}): IFramework => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Framework',
  metadata: { name: 'web', namespace: 'demo' },
  spec: { role: 'prod' },
  ...over,
});

describe('countTaskStates', () => {
  it('counts by lower-case state; a task without a state is staging', () => {
    expect(countTaskStates([{ status: { state: 'TASK_RUNNING' } }, { status: { state: 'TASK_RUNNING' } }, {}, { status: null }])).toEqual({
      running: 2,
      staging: 2,
    });
  });
});

describe('frameworkRowBase', () => {
  it.each([
    {
      name: 'external, before the controller wrote a status',
      framework: fw(),
      counted: { tasks: {}, outstandingOffers: 0 },
      want: { namespace: 'demo', name: 'web', role: 'prod', phase: 'Pending', tasks: {}, outstandingOffers: 0 },
    },
    {
      name: 'built-in, with a share; counts in TASK_STATES order, zeros left out',
      framework: fw({
        spec: { role: 'prod', builtin: { tasks: 5, template: { resources: { cpu: '1' }, containers: [] } } },
        status: { phase: 'Active', dominantShare: 0.25, launched: 3 },
      }),
      counted: { tasks: { finished: 1, running: 2, lost: 0 }, outstandingOffers: 1 },
      want: {
        namespace: 'demo',
        name: 'web',
        role: 'prod',
        phase: 'Active',
        builtin: { launched: 3, wanted: 5 },
        dominantShare: 0.25,
        tasks: { running: 2, finished: 1 },
        outstandingOffers: 1,
      },
    },
    {
      name: 'several roles, suppressed',
      framework: fw({ spec: { roles: ['a', 'b'], suppressed: true } }),
      counted: { tasks: { staging: 1 }, outstandingOffers: 2 },
      want: { namespace: 'demo', name: 'web', role: 'a, b', phase: 'Suppressed', tasks: { staging: 1 }, outstandingOffers: 2 },
    },
  ])('$name', ({ framework, counted, want }) => {
    const row = frameworkRowBase(framework, counted);
    expect(row).toEqual(want);
    expect(Object.keys(row.tasks)).toEqual(Object.keys(want.tasks));
  });
});
