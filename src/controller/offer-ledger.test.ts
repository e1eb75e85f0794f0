import { describe, expect, it } from 'vitest';
import { OfferLedger, type OfferStage } from './offer-ledger.ts';

type Step = (l: OfferLedger, clock: { t: number }) => unknown;

describe('OfferLedger', () => {
  it.each<{
    name: string;
    steps: Step[];
    wantStage: OfferStage | undefined;
    wantBusy: boolean;
    wantSettled: boolean;
    wantTasks?: string[];
  }>([
    { name: 'unknown offer', steps: [], wantStage: undefined, wantBusy: false, wantSettled: false },
    { name: 'answering', steps: [(l) => l.beginAnswer('o')], wantStage: 'answering', wantBusy: true, wantSettled: false },
    {
      name: 'accept applied',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o', ['t1', 't2'])],
      wantStage: 'applied',
      wantBusy: false,
      wantSettled: true,
      wantTasks: ['t1', 't2'],
    },
    {
      name: 'applied, being recorded',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o', ['t1']), (l) => l.recording('o')],
      wantStage: 'recording',
      wantBusy: false,
      wantSettled: true,
      wantTasks: ['t1'],
    },
    {
      name: 'recorded: applied until the cache shows it',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o'), (l) => l.recording('o'), (l) => l.recorded('o')],
      wantStage: 'applied',
      wantBusy: false,
      wantSettled: true,
    },
    {
      name: 'record failed: applied again later, tasks still vouched for',
      steps: [
        (l) => l.beginAnswer('o'),
        (l) => l.answered('o', ['t1']),
        (l) => l.recording('o'),
        (l) => l.recordFailed('o'),
        (l) => l.recorded('o'),
      ],
      wantStage: undefined,
      wantBusy: false,
      wantSettled: false,
      wantTasks: ['t1'],
    },
    {
      name: 'an answer that failed part-way is abandoned',
      steps: [(l) => l.beginAnswer('o'), (l) => l.abandon('o')],
      wantStage: undefined,
      wantBusy: false,
      wantSettled: false,
    },
    {
      name: 'abandon does not undo an applied answer',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o'), (l) => l.abandon('o')],
      wantStage: 'applied',
      wantBusy: false,
      wantSettled: true,
    },
    { name: 'rescinding', steps: [(l) => l.beginRescind('o')], wantStage: 'rescinding', wantBusy: true, wantSettled: false },
    {
      name: 'rescinded',
      steps: [(l) => l.beginRescind('o'), (l) => l.rescinded('o'), (l) => l.abandon('o')],
      wantStage: 'applied',
      wantBusy: false,
      wantSettled: true,
    },
    {
      name: 'final: the cache caught up',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o', ['t1']), (l) => l.final('o')],
      wantStage: undefined,
      wantBusy: false,
      wantSettled: false,
    },
    {
      name: 'applied for longer than the safety net: no longer settled, tasks kept',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o', ['t1']), (_l, c) => (c.t += 61_000), (l) => l.expire(60_000)],
      wantStage: undefined,
      wantBusy: false,
      wantSettled: false,
      wantTasks: ['t1'],
    },
    {
      name: 'recent applied answers survive expire',
      steps: [(l) => l.beginAnswer('o'), (l) => l.answered('o'), (_l, c) => (c.t += 59_000), (l) => l.expire(60_000)],
      wantStage: 'applied',
      wantBusy: false,
      wantSettled: true,
    },
  ])('$name', ({ steps, wantStage, wantBusy, wantSettled, wantTasks }) => {
    const clock = { t: 1_000 };
    const l = new OfferLedger({ now: () => clock.t });
    for (const s of steps) s(l, clock);
    expect(l.stage('o')).toBe(wantStage);
    expect(l.busy('o')).toBe(wantBusy);
    expect(l.settled('o')).toBe(wantSettled);
    expect(l.acceptedTasks('o') === undefined ? undefined : [...l.acceptedTasks('o')!]).toEqual(wantTasks);
  });

  it.each([
    {
      name: 'one answer at a time',
      first: (l: OfferLedger) => l.beginAnswer('o'),
      second: (l: OfferLedger) => l.beginAnswer('o'),
      want: false,
    },
    {
      name: 'no answer while rescinding',
      first: (l: OfferLedger) => l.beginRescind('o'),
      second: (l: OfferLedger) => l.beginAnswer('o'),
      want: false,
    },
    {
      name: 'no rescind while answering',
      first: (l: OfferLedger) => l.beginAnswer('o'),
      second: (l: OfferLedger) => l.beginRescind('o'),
      want: false,
    },
    {
      name: 'no second answer once applied',
      first: (l: OfferLedger) => (l.beginAnswer('o'), l.answered('o')),
      second: (l: OfferLedger) => l.beginAnswer('o'),
      want: false,
    },
    {
      name: 'an answer again after its record failed',
      first: (l: OfferLedger) => (l.beginAnswer('o'), l.answered('o', ['t']), l.recording('o'), l.recordFailed('o')),
      second: (l: OfferLedger) => l.beginAnswer('o'),
      want: true,
    },
    {
      name: 'offers are independent',
      first: (l: OfferLedger) => l.beginAnswer('a'),
      second: (l: OfferLedger) => l.beginAnswer('b'),
      want: true,
    },
  ])('$name', ({ first, second, want }) => {
    const l = new OfferLedger({ now: () => 0 });
    first(l);
    expect(second(l)).toBe(want);
  });
});
