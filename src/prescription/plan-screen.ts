import { DomainError, ErrorCode } from '../common/problem';
import type { Verdict } from '../screening/screening.ruleset';
import type { ScreeningOutcome } from '../screening/screening.schema';
import type { PrescriptionRequest } from './prescription-request.schema';

/** Dates the screening does not check: the indication's and each LOP's. */
export function dateErrors(
  request: PrescriptionRequest,
  generatedOn: string,
): Array<{ field: string; detail: string }> {
  const dates: Array<[string, string | undefined]> = [
    ['indication.surgeryDate', request.indication.surgeryDate],
    ['indication.onsetDate', request.indication.onsetDate],
    ...request.limbs.flatMap((limb, i) =>
      limb.lop.map((m, j): [string, string] => [`limbs.${i}.lop.${j}.measuredOn`, m.measuredOn]),
    ),
  ];
  return dates
    .filter(([, date]) => date !== undefined && date > generatedOn)
    .map(([field]) => ({ field, detail: `is after the day of the plan (${generatedOn})` }));
}

/** Only a clear or cautioned screening (a cleared referral is a caution) may lead to a plan. */
export function refuseUnlessScreened(screening: ScreeningOutcome): void {
  const refusals: Partial<Record<Verdict, [ErrorCode, string]>> = {
    contraindicated: [ErrorCode.Contraindicated, 'BFR is contraindicated'],
    incomplete: [ErrorCode.ScreeningIncomplete, `The screening is incomplete: ${screening.missing.join('; ')}`],
    refer: [ErrorCode.ReferralRequired, 'A medical clearance is needed before BFR'],
  };
  const refusal = refusals[screening.verdict];
  if (refusal) {
    const decisive = screening.findings.filter((f) => f.verdict === screening.verdict && !f.cleared);
    const named = [...new Map(decisive.map((f) => [f.ruleId, `${f.title} (${f.ruleId})`])).values()].join('; ');
    const next =
      screening.verdict === 'refer'
        ? ' Record a clearance that names each of these findings in `clearances` and ask again.'
        : '';
    throw new DomainError(refusal[0], `${refusal[1]}: ${named}.${next} No plan was made.`, undefined, {
      extensions: { screening },
    });
  }
}
