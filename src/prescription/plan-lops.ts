import { DomainError, ErrorCode } from '../common/problem';
import type { RuleCatalogue } from '../rules/catalogue';
import { patientFacts } from '../screening/screening-facts';
import type { ScreeningOutcome } from '../screening/screening.schema';
import { type LopFinding, type LopResolution, lopFor } from './lop-for';
import type { Candidate } from './plan-candidates';
import type { Phase } from './plan-phase';
import { siteName } from './plan-notices';
import type { Plan } from './plan.schema';
import type { PrescriptionRequest } from './prescription-request.schema';

/** One LOP per cuff site and body position: exercises in the same position share it. */
export const lopKey = ({ exercise, side }: Pick<Candidate, 'exercise' | 'side'>) =>
  `${side}-${exercise.cuffSite}:${exercise.position}`;

const siteOf = (request: PrescriptionRequest, { exercise, side }: Candidate) =>
  request.limbs.find((l) => l.limb === exercise.cuffSite && l.side === side)!;

/** Resolves the LOP of each cuff site and position the candidates use, once each, in the candidates' order. */
export async function resolveLops(
  catalogue: RuleCatalogue,
  request: PrescriptionRequest,
  screening: ScreeningOutcome,
  candidates: readonly Candidate[],
  generatedOn: string,
): Promise<Map<string, LopResolution>> {
  const lops = new Map<string, LopResolution>();
  const patient = patientFacts(request, generatedOn);
  for (const candidate of candidates) {
    const key = lopKey(candidate);
    if (!lops.has(key)) {
      lops.set(
        key,
        await lopFor(
          catalogue,
          request,
          patient,
          screening,
          siteOf(request, candidate),
          candidate.exercise.position,
          generatedOn,
        ),
      );
    }
  }
  return lops;
}

/**
 * The candidates whose cuff site has a usable LOP in their position. The others are left out with
 * the measurement each needs, so a plan can start while a position is measured; when the injured
 * side is left with nothing, the plan is refused with every LOP that must be measured.
 */
export function withUsableLop(
  kept: readonly Candidate[],
  lops: ReadonlyMap<string, LopResolution>,
  request: PrescriptionRequest,
  phase: Phase,
) {
  const needs = (r: LopResolution) => r.findings.filter((f) => f.action === 'remeasure');
  // The ranges of an equation's population the patient is outside say why no estimate was made.
  const said = (r: LopResolution, f: LopFinding) =>
    r.estimateRefusals.length > 0 ? `${f.clinicianMessage} (${r.estimateRefusals.join('; ')})` : f.clinicianMessage;
  const usable = kept.filter((c) => needs(lops.get(lopKey(c))!).length === 0);
  const lopOmitted: Plan['omitted'] = kept
    .filter((c) => !usable.includes(c))
    .map((c) => {
      const resolution = lops.get(lopKey(c))!;
      return {
        exercise: c.exercise.id,
        side: c.side,
        reason: `no usable LOP for the ${siteName(resolution.site)} ${resolution.position}: ${needs(resolution)
          .map((f) => `${said(resolution, f)} [${f.rule.ruleId}]`)
          .join(' ')}`,
        measurement: {
          limb: c.exercise.cuffSite,
          side: c.side,
          position: resolution.position,
          cuffWidthCm: siteOf(request, c).cuffWidthCm,
        },
      };
    });
  if (!usable.some((c) => c.injuredSide)) {
    const remeasure = [...new Set(kept.map((c) => lops.get(lopKey(c))!))].flatMap((r) =>
      needs(r).map((f) => ({
        site: siteName(r.site),
        position: r.position,
        ruleId: f.rule.ruleId,
        message: said(r, f),
      })),
    );
    throw new DomainError(
      ErrorCode.LopRequired,
      `No usable LOP for the injured side's exercises of the phase "${phase.label}": ${remeasure.map((r) => `${r.site} (${r.position}): ${r.message} [${r.ruleId}]`).join('; ')}`,
      undefined,
      { extensions: { lopFindings: remeasure } },
    );
  }
  return { usable, lopOmitted };
}
