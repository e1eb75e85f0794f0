import { describe, expect, it } from 'vitest';
import { allocatorViewOf, kickedGapMs } from './allocation-loop.ts';
import type { FrameworkObject } from '../api/objects.ts';
import { setCondition } from './conditions.ts';

const fw = (over: Partial<FrameworkObject> = {}): FrameworkObject => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Framework',
  metadata: { name: 'f', namespace: 'ns', generation: 3 },
  spec: { role: 'default', builtin: { tasks: 2, template: { resources: { cpu: '1' }, containers: [{ name: 'c', image: 'i' }] } } },
  ...over,
});

describe('allocatorViewOf', () => {
  it('does not change when only the status the controller writes changes', () => {
    const a = fw();
    const b = fw({ status: { phase: 'Active', tasks: { running: 2 }, share: 0.4 } as FrameworkObject['status'] });
    expect(allocatorViewOf(b)).toBe(allocatorViewOf(a));
  });
  it('changes with the spec (generation), deletion and a built-in outcome', () => {
    const base = allocatorViewOf(fw());
    expect(allocatorViewOf(fw({ metadata: { name: 'f', namespace: 'ns', generation: 4 } }))).not.toBe(base);
    expect(allocatorViewOf(fw({ metadata: { name: 'f', namespace: 'ns', generation: 3, deletionTimestamp: new Date(0) } }))).not.toBe(base);
    const done = fw();
    done.status = {
      conditions: setCondition(
        [],
        { type: 'Complete', status: 'True', reason: 'AllTasksFinished', message: 'done', observedGeneration: 3 },
        new Date(0).toISOString(),
      ),
    } as FrameworkObject['status'];
    expect(allocatorViewOf(done)).not.toBe(base);
  });
});

describe('kickedGapMs', () => {
  it('keeps a floor for cheap cycles', () => {
    expect(kickedGapMs(0)).toBe(20);
    expect(kickedGapMs(4)).toBe(20);
  });
  it('leaves the event loop most of its time when cycles are costly', () => {
    expect(kickedGapMs(50)).toBe(200);
    expect(kickedGapMs(50) - 50).toBeGreaterThanOrEqual(150);
  });
});
