import { ScreeningRequest } from '../../screening/screening.schema';
import type { ScreeningDraft } from './screening-from-fhir';

/** A planned cuff site, as the order (not the record) gives it. */
export interface PlannedSite {
  limb: 'thigh' | 'upper-arm';
  side: 'left' | 'right';
  circumferenceCm?: number;
}

/**
 * A complete screening request from what the record gave and the planned cuff sites, or the fields
 * the record could not fill. A limb finding without a side goes on every site of the patient.
 */
export function screeningRequestFromDraft(
  draft: ScreeningDraft,
  sites: readonly PlannedSite[],
): { request?: ScreeningRequest; missing: string[] } {
  const limbs = sites.map((site) => ({
    limb: site.limb,
    side: site.side,
    ...(site.circumferenceCm !== undefined ? { circumferenceCm: site.circumferenceCm } : {}),
    findings: Object.fromEntries(
      draft.limbFindings.filter((f) => f.side === null || f.side === site.side).map((f) => [f.item, 'yes']),
    ),
  }));
  const candidate = {
    patient: draft.patient,
    answers: draft.answers,
    ...(draft.surgeryDate ? { surgeryDate: draft.surgeryDate } : {}),
    ...(draft.bloodPressure ? { bloodPressure: draft.bloodPressure } : {}),
    limbs,
  };
  const parsed = ScreeningRequest.safeParse(candidate);
  if (parsed.success) {
    return { request: parsed.data, missing: [] };
  }
  return { missing: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
}
