import { patellofemoralRequest, prescriptionLimb, SCREENED_ON } from '../../test/factories';
import { thrownBy } from '../../test/thrown';
import { ErrorCode } from '../common/problem';
import type { ScreeningOutcome } from '../screening/screening.schema';
import { dateErrors, refuseUnlessScreened } from './plan-screen';

const outcome = (verdict: ScreeningOutcome['verdict']): ScreeningOutcome =>
  ({
    verdict,
    missing: verdict === 'incomplete' ? ['answers.pregnancy'] : [],
    findings: [],
    limbs: [],
    modifications: [],
  }) as unknown as ScreeningOutcome;

describe('dateErrors', () => {
  it('names every indication and LOP date after the day of the plan', () => {
    const limb = prescriptionLimb('left', 190);
    const request = patellofemoralRequest({
      indication: { condition: 'patellofemoral-pain', side: 'left', onsetDate: '2026-11-21', weightBearing: 'full' },
      limbs: [{ ...limb, lop: limb.lop.map((m) => ({ ...m, measuredOn: '2026-12-01' })) }],
    });
    expect(dateErrors(request, SCREENED_ON).map((e) => e.field)).toEqual([
      'indication.onsetDate',
      'limbs.0.lop.0.measuredOn',
    ]);
  });

  it('accepts dates on or before the day', () => {
    expect(dateErrors(patellofemoralRequest(), SCREENED_ON)).toEqual([]);
  });
});

describe('refuseUnlessScreened', () => {
  it.each([
    ['contraindicated', ErrorCode.Contraindicated],
    ['incomplete', ErrorCode.ScreeningIncomplete],
    ['refer', ErrorCode.ReferralRequired],
  ] as const)('refuses a %s screening with its own code', (verdict, code) => {
    expect(thrownBy(() => refuseUnlessScreened(outcome(verdict)))).toMatchObject({ code });
  });

  it.each(['clear', 'caution'] as const)('lets a %s screening through', (verdict) => {
    expect(() => refuseUnlessScreened(outcome(verdict))).not.toThrow();
  });
});
