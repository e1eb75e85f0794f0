import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventRecorder, type RecordedEvent } from './events.ts';
import type { Kube } from './kube.ts';

const target = { apiVersion: 'agora.dev/v1alpha1', kind: 'Task', namespace: 'ns', name: 't-0' };

/** A recorder whose writes land in `written` (the write path itself is exercised by the integration tests). */
function recorder() {
  const written: unknown[] = [];
  const kube = { createEvent: async (_ns: string, body: unknown) => void written.push(body) } as unknown as Kube;
  const r = new EventRecorder(kube, pino({ level: 'silent' }), { now: () => 1_000 }, () => 0.5);
  const seen: RecordedEvent[] = [];
  r.onRecord((e) => seen.push(e));
  return { r, written, seen };
}

describe('EventRecorder', () => {
  it('writes normal and warning events and tells its listeners', async () => {
    const { r, written, seen } = recorder();
    r.normal(target, 'TaskFinished', 'done');
    r.warning(target, 'TaskFailed', 'exit 1');
    await r.flush();
    expect(written).toHaveLength(2);
    expect(seen.map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'TaskFinished'],
      ['Warning', 'TaskFailed'],
    ]);
  });

  it('progress is shown to listeners only, never written', async () => {
    const { r, written, seen } = recorder();
    r.progress(target, 'TaskRunning', 'pod running');
    await r.flush();
    expect(written).toEqual([]);
    expect(seen).toEqual([{ time: 1_000, type: 'Normal', reason: 'TaskRunning', message: 'pod running', target }]);
  });
});
