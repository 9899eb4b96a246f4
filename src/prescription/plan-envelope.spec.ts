import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import { legPressDose as legPress } from './envelope.fixture';
import { describeBreaches, holdToEnvelope } from './plan-envelope';
import { checkEnvelope } from './safety-envelope';

describe('holdToEnvelope', () => {
  it('lets a dose within the envelope through', () => {
    expect(() => holdToEnvelope([legPress()])).not.toThrow();
  });

  it('refuses a breach, listing it in the problem', () => {
    const error = thrownBy(() => holdToEnvelope([legPress({ loadPercent1RM: 45 })]));
    expect(error.code).toBe(ErrorCode.EnvelopeBreach);
    expect(error.extensions?.breaches).toEqual([
      expect.objectContaining({ parameter: 'loadPercent1RM', ruleIds: ['dose.load-resistance'] }),
    ]);
  });
});

describe('describeBreaches', () => {
  it('blames the LOP, not the rules, for a set point breached alone', () => {
    expect(describeBreaches(checkEnvelope([legPress({ setPointMmHg: 260 })]))).toEqual([
      expect.stringMatching(/LOP is too high for this cuff/),
    ]);
  });

  it('blames the rules when the percentage is breached too', () => {
    const said = describeBreaches(checkEnvelope([legPress({ lopPercent: 90, setPointMmHg: 260 })]));
    expect(said).toHaveLength(2);
    expect(said.every((s) => s.endsWith('the rules need correcting'))).toBe(true);
  });
});
