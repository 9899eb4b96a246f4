import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import { describeBreaches, holdToEnvelope } from './plan-envelope';
import { checkEnvelope, type EnvelopeExercise } from './safety-envelope';

const legPress = (overrides: Partial<EnvelopeExercise> = {}): EnvelopeExercise => ({
  exerciseId: 'leg-press',
  limb: 'thigh',
  side: 'left',
  lopPercent: 80,
  setPointMmHg: 152,
  loadPercent1RM: 30,
  continuousInflationMinutes: 6,
  inflatedMinutes: 6,
  reperfusionSeconds: 180,
  basis: { lopPercent: ['dose.lop-lower-limb'], loadPercent1RM: ['dose.load-resistance'] },
  ...overrides,
});

describe('holdToEnvelope', () => {
  it('lets a dose within the envelope through', () => {
    expect(() => holdToEnvelope([legPress()])).not.toThrow();
  });

  it('refuses a breach, listing it in the problem', () => {
    const error = thrownBy(() => holdToEnvelope([legPress({ loadPercent1RM: 45 })]));
    expect(error.code).toBe(ErrorCode.EnvelopeBreach);
    expect(error.extensions?.breaches).toEqual([expect.objectContaining({ parameter: 'loadPercent1RM', ruleIds: ['dose.load-resistance'] })]);
  });
});

describe('describeBreaches', () => {
  it('blames the LOP, not the rules, for a set point breached alone', () => {
    expect(describeBreaches(checkEnvelope([legPress({ setPointMmHg: 260 })]))).toEqual([expect.stringMatching(/LOP is too high for this cuff/)]);
  });

  it('blames the rules when the percentage is breached too', () => {
    const said = describeBreaches(checkEnvelope([legPress({ lopPercent: 90, setPointMmHg: 260 })]));
    expect(said).toHaveLength(2);
    expect(said.every((s) => s.endsWith('the rules need correcting'))).toBe(true);
  });
});
