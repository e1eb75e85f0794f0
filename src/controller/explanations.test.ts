import { describe, expect, it } from 'vitest';
import { whyNoOffers, type Explanation } from '../allocator/index.ts';
import { Explanations } from './explanations.ts';

describe('Explanations', () => {
  it('asks the allocator at most once per interval, for every framework', () => {
    let t = 0;
    const asked: (string | undefined)[] = [];
    const allocator = {
      explain: (now: number, framework?: string): Explanation => {
        asked.push(framework);
        return { offers: [], refusals: [{ node: `at-${now}`, reason: 'NodeNotReady' }] };
      },
    };
    const e = new Explanations(allocator, { now: () => t }, 5000);
    expect(e.all().refusals[0]!.node).toBe('at-0');
    t = 4999;
    expect(e.all().refusals[0]!.node).toBe('at-0');
    t = 5000;
    expect(e.all().refusals[0]!.node).toBe('at-5000');
    expect(asked).toEqual([undefined, undefined]);
  });

  const explanation: Explanation = {
    offers: [{ offerId: 'o', framework: 'ns/b', role: 'default', node: 'n3', resources: { cpu: 1 } }],
    refusals: [
      { node: 'n1', reason: 'NodeNotReady' },
      { node: 'n2', framework: 'ns/a', reason: 'Refused', until: 9000 },
      { node: 'n4', framework: 'ns/a', reason: 'Constraint' },
      { node: 'n2', framework: 'ns/b', reason: 'Constraint' },
    ],
  };

  it('says for each framework what whyNoOffers says of the whole explanation, asking the allocator once', () => {
    let asked = 0;
    const e = new Explanations({ explain: () => (asked++, explanation) }, { now: () => 0 }, 5000);
    for (const fw of ['ns/a', 'ns/b']) {
      expect(e.why(fw)).toEqual(whyNoOffers(explanation, fw));
      expect(e.why(fw)).toBe(e.why(fw));
    }
    expect(asked).toBe(1);
  });

  it('has nothing to say of a framework the explanation does not know yet', () => {
    const e = new Explanations({ explain: () => explanation }, { now: () => 0 }, 5000);
    expect(e.why('ns/new')).toBeUndefined();
    // An explanation that names no framework at all (nothing to offer anyone) still speaks.
    const quiet = new Explanations(
      { explain: (): Explanation => ({ offers: [], refusals: [{ node: 'n1', reason: 'NodeNotReady' }] }) },
      { now: () => 0 },
      5000,
    );
    expect(quiet.why('ns/new')?.offered).toBe(false);
  });
});
