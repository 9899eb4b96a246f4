import type { Resource } from '@medplum/fhirtypes';

import { DomainError } from '../../common/problem';
import type { RuleCatalogue } from '../../rules/catalogue';
import { screenPatient } from '../../screening/screen-patient';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../../screening/screening-items';
import type { ScreeningFinding, ScreeningOutcome, ScreeningRequest } from '../../screening/screening.schema';
import { clinicalRecordFrom } from '../fhir/clinical-record';
import type { MappedSource } from '../fhir/mapped-source';
import { screeningFromFhir } from '../fhir/screening-from-fhir';
import { type PlannedSite, screeningRequestFromDraft } from '../fhir/screening-request-from-draft';

/** Where the cuff would go: named by the order, or assumed when the hook names none. */
export interface CuffSites {
  sites: PlannedSite[];
  fromOrder: boolean;
}

/** Both thighs: where runners' BFR cuffs go unless an order names the site. */
export const ASSUMED_SITES: CuffSites = {
  sites: [
    { limb: 'thigh', side: 'left' },
    { limb: 'thigh', side: 'right' },
  ],
  fromOrder: false,
};

type Demographic = Exclude<keyof ScreeningRequest['patient'], 'ref'>;

/** The screening facts computed from each demographic; vteScore sums points read from them. */
const FACTS_FROM: Record<Demographic, string[]> = {
  birthDate: ['ageYears', 'vteScore'],
  sex: ['sex', 'vteScore'],
  heightCm: ['bmi', 'vteScore'],
  weightKg: ['bmi', 'vteScore'],
};

export const DEMOGRAPHIC_NAMES: Record<Demographic, string> = { birthDate: 'date of birth', sex: 'sex', heightCm: 'body height', weightKg: 'body weight' };

/** What the rules say about the patient from the EHR record, and what they could not tell. */
export interface RecordScreening {
  rulesetVersion: string;
  screenedOn: string;
  /** The findings that stand on the record alone, and what is missing (`incomplete`). */
  findings: ScreeningFinding[];
  /**
   * Cautions and referrals that fire only because answers are unknown (the rules read some unknowns
   * as a risk); they go away or stay once the items are answered.
   */
  untilAnswered: ScreeningFinding[];
  /** What scored in the VTE risk screen, unknown answers included. */
  vteFactors: ScreeningOutcome['vteScore']['factors'];
  /** Demographics the record lacks: rules that read them were not counted. */
  lacking: Demographic[];
  /** Request fields refused outright (e.g. a birth date after today); nothing was screened then. */
  refused: string[];
  sites: CuffSites;
  /** The record behind each value, and what the mapping left out. */
  sources: MappedSource[];
  notes: string[];
}

/**
 * Screens the patient on what the EHR record holds. Records only answer yes, so the unanswered
 * items stay unknown and the screening names them. When the record lacks a demographic the rules
 * need (age, sex, height, weight), the screening runs with a stand-in and every finding whose rule
 * read a fact made from it is dropped: what remains holds whatever the missing value is, so a
 * contraindication in the record is reported even when the height is not.
 */
export async function screenRecord(catalogue: RuleCatalogue, resources: Resource[], screenedOn: string, sites: CuffSites): Promise<RecordScreening> {
  const fhir = screeningFromFhir(clinicalRecordFrom(resources), catalogue, screenedOn);
  const known = fhir.request.patient;
  const lacking = (Object.keys(FACTS_FROM) as Demographic[]).filter((name) => known[name] === undefined);
  const standIn = { ref: 'ehr-record', birthDate: `${Number(screenedOn.slice(0, 4)) - 40}-01-01`, sex: 'unknown' as const, heightCm: 170, weightKg: 70 };
  const result = (outcome: { findings: ScreeningFinding[]; untilAnswered: ScreeningFinding[]; vteFactors: RecordScreening['vteFactors'] }, refused: string[] = []): RecordScreening => ({
    rulesetVersion: catalogue.version,
    screenedOn,
    ...outcome,
    lacking,
    refused,
    sites,
    sources: fhir.sources,
    notes: fhir.notes,
  });
  const { request, missing } = screeningRequestFromDraft({ ...fhir.request, patient: { ...standIn, ...known } }, sites.sites);
  const nothing = { findings: [], untilAnswered: [], vteFactors: [] };
  if (!request) {
    return result(nothing, missing);
  }
  let outcome: ScreeningOutcome;
  let ifAnsweredNo: ScreeningOutcome;
  try {
    outcome = await screenPatient(catalogue, request, screenedOn);
    ifAnsweredNo = await screenPatient(catalogue, everyUnknownAnsweredNo(request), screenedOn);
  } catch (error) {
    if (error instanceof DomainError && error.errors) {
      return result(nothing, error.errors.map((e) => `${e.field} ${e.detail}`));
    }
    throw error;
  }
  const unknownFacts = new Set(lacking.flatMap((name) => FACTS_FROM[name]));
  const stands = (finding: ScreeningFinding) => !Object.keys(finding.inputs).some((fact) => unknownFacts.has(fact));
  const alsoIfNo = new Set(ifAnsweredNo.findings.map(keyOf));
  // A contraindication is reported whatever made it fire; a caution or referral that answers of
  // "no" would lift is a question to ask, not a warning.
  const firm = (finding: ScreeningFinding) => finding.verdict === 'incomplete' || finding.verdict === 'contraindicated' || alsoIfNo.has(keyOf(finding));
  const findings = outcome.findings.filter(stands);
  return result({
    findings: findings.filter(firm),
    untilAnswered: findings.filter((finding) => !firm(finding)),
    vteFactors: outcome.vteScore.factors,
  });
}

const keyOf = (finding: ScreeningFinding) => `${finding.ruleId}@${finding.site ? `${finding.site.side}-${finding.site.limb}` : 'patient'}`;

/** The same request with every item the record left unanswered answered no, to tell which findings rest on unknowns. */
function everyUnknownAnsweredNo(request: ScreeningRequest): ScreeningRequest {
  const no = (items: object, answered: Record<string, string | undefined>) =>
    Object.fromEntries(Object.keys(items).map((item) => [item, answered[item] ?? 'no'])) as Record<string, 'yes' | 'no' | 'unknown'>;
  return {
    ...request,
    answers: no(PATIENT_ITEMS, request.answers),
    limbs: request.limbs.map((limb) => ({ ...limb, findings: no(LIMB_ITEMS, limb.findings) })),
  };
}
