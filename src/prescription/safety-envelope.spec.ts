import { legPressDose as legPress } from './envelope.fixture';
import { checkEnvelope, type EnvelopeExercise, SAFETY_ENVELOPE } from './safety-envelope';

describe('checkEnvelope', () => {
  it('passes a typical lower-limb dose at its limits', () => {
    expect(checkEnvelope([legPress()])).toEqual([]);
  });

  it.each<[string, Partial<EnvelopeExercise>, string, number]>([
    ['more than 80 % LOP', { lopPercent: 81 }, 'lopPercent', 80],
    ['a set point above 250 mmHg', { setPointMmHg: 251 }, 'setPointMmHg', 250],
    ['more than 40 % 1RM under a cuff', { loadPercent1RM: 45 }, 'loadPercent1RM', 40],
    ['more than 20 min continuous on a thigh', { continuousInflationMinutes: 20.5 }, 'continuousInflationMinutes', 20],
    [
      'more than 15 min continuous on an arm',
      { limb: 'upper-arm', continuousInflationMinutes: 16 },
      'continuousInflationMinutes',
      15,
    ],
    ['less than 60 s of deflated reperfusion', { reperfusionSeconds: 30 }, 'reperfusionSeconds', 60],
  ])('refuses %s, naming the value, the limit and the rules behind it', (_what, overrides, parameter, limit) => {
    const [breach] = checkEnvelope([legPress(overrides)]);
    expect(breach).toMatchObject({ exerciseId: 'leg-press', parameter, limit });
    if (parameter === 'lopPercent') {
      expect(breach.ruleIds).toEqual(['dose.lop-lower-limb']);
    }
  });

  it('limits the inflated time of one limb over the whole session', () => {
    const session = [
      legPress({ exerciseId: 'a', inflatedMinutes: 12 }),
      legPress({ exerciseId: 'b', inflatedMinutes: 12 }),
      legPress({ exerciseId: 'c', inflatedMinutes: 7 }),
    ];
    expect(checkEnvelope(session)).toEqual([
      expect.objectContaining({
        exerciseId: null,
        limb: 'left thigh',
        parameter: 'sessionInflationMinutes',
        value: 31,
        limit: 30,
      }),
    ]);
    expect(
      checkEnvelope([...session.slice(0, 2), legPress({ exerciseId: 'c', side: 'right', inflatedMinutes: 7 })]),
    ).toEqual([]);
  });

  it('counts every bout of an exercise done in bouts towards the session limit', () => {
    const passive = legPress({
      exerciseId: 'passive',
      loadPercent1RM: null,
      continuousInflationMinutes: 5,
      inflatedMinutes: 25,
    });
    expect(checkEnvelope([passive])).toEqual([]);
    expect(checkEnvelope([passive, legPress()])).toEqual([
      expect.objectContaining({ parameter: 'sessionInflationMinutes', value: 31 }),
    ]);
  });

  it('has no lower limit on pressure or load', () => {
    expect(checkEnvelope([legPress({ lopPercent: 20, setPointMmHg: 40, loadPercent1RM: 0 })])).toEqual([]);
  });

  it('is frozen at the published limits, at run time too', () => {
    expect(Object.isFrozen(SAFETY_ENVELOPE) && Object.isFrozen(SAFETY_ENVELOPE.maxContinuousInflationMinutes)).toBe(
      true,
    );
    expect(SAFETY_ENVELOPE).toEqual({
      maxLopPercent: 80,
      maxSetPointMmHg: 250,
      maxLoadPercent1RM: 40,
      maxContinuousInflationMinutes: { thigh: 20, 'upper-arm': 15 },
      minReperfusionSeconds: 60,
      maxInflatedMinutesPerLimbPerSession: 30,
    });
  });
});
