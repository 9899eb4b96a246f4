import type { Questionnaire, Resource } from '@medplum/fhirtypes';

import { DomainError } from '../../common/problem';
import type { RuleCatalogue } from '../../rules/catalogue';
import { screenPatient } from '../../screening/screen-patient';
import { LIMB_ITEMS, PATIENT_ITEMS } from '../../screening/screening-items';
import { ScreeningRequest, type ScreeningFinding, type ScreeningOutcome } from '../../screening/screening.schema';
import { clinicalRecordFrom } from '../fhir/clinical-record';
import type { MappedSource } from '../fhir/mapped-source';
import { type ScreeningDraft, screeningFromFhir } from '../fhir/screening-from-fhir';
import type { PlannedSite } from '../fhir/screening-request-from-draft';
import { fhirMapping } from '../fhir/fhir-mapping';
import { type ScreeningAnswers, screeningAnswersFrom, type UnusedAnswers } from './screening-answers';

/** Where the cuff would go: named by the order, by the screening answers, or assumed. */
export interface CuffSites {
  sites: PlannedSite[];
  origin: 'order' | 'screening answers' | 'assumed';
}

/** Both thighs: where runners' BFR cuffs go unless an order or the screening answers name the site. */
export const ASSUMED_SITES: CuffSites = {
  sites: [
    { limb: 'thigh', side: 'left' },
    { limb: 'thigh', side: 'right' },
  ],
  origin: 'assumed',
};

type Demographic = Exclude<keyof ScreeningRequest['patient'], 'ref'>;

/** The screening facts computed from each demographic; vteScore sums points read from them. */
const FACTS_FROM: Record<Demographic, string[]> = {
  birthDate: ['ageYears', 'vteScore'],
  sex: ['sex', 'vteScore'],
  heightCm: ['bmi', 'vteScore'],
  weightKg: ['bmi', 'vteScore'],
};

export const DEMOGRAPHIC_NAMES: Record<Demographic, string> = {
  birthDate: 'date of birth',
  sex: 'sex',
  heightCm: 'body height',
  weightKg: 'body weight',
};

/** What the rules say about the patient from the EHR record, and what they could not tell. */
export interface RecordScreening {
  rulesetVersion: string;
  screenedOn: string;
  /** The request screened (demographics the record lacks hold stand-ins); absent when none could be made. */
  request?: ScreeningRequest;
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
  /** The clinician's screening questionnaire the answers come from, when the EHR keeps one recent enough. */
  answers?: Pick<ScreeningAnswers, 'reference' | 'authoredOn'>;
  /** The newest screening answers in the EHR when they were too old to use, and why. */
  unusedAnswers?: UnusedAnswers;
  /** The record behind each value, and what the mapping left out. */
  sources: MappedSource[];
  notes: string[];
  /** Screening answers the record overrode (`vteHistory`, `limbs.lymphoedema`), with what was said. */
  overridden: Array<{ item: string; note: string }>;
}

const isSite = (a: PlannedSite, b: PlannedSite) => a.limb === b.limb && a.side === b.side;

/**
 * One screening request from the record and the clinician's answers. The record only ever says yes,
 * and a yes in the record wins over an answer of no (with a note): a problem list entry is not
 * overruled by a form. Demographics come from the record where it has them.
 */
function requestFrom(
  draft: ScreeningDraft,
  answered: ScreeningRequest | undefined,
  sites: CuffSites,
  standIn: ScreeningRequest['patient'],
  overridden: RecordScreening['overridden'],
): unknown {
  for (const [item, value] of Object.entries(draft.answers)) {
    const given = answered?.answers[item as keyof ScreeningRequest['answers']];
    if (value === 'yes' && given && given !== 'yes') {
      overridden.push({
        item,
        note: `The screening answers say ${given} for ${item}; the EHR record says yes, and yes is used.`,
      });
    }
  }
  const record = Object.fromEntries(Object.entries(draft.patient).filter(([, v]) => v !== undefined));
  const newestBp = [draft.bloodPressure, answered?.bloodPressure]
    .filter((bp): bp is NonNullable<typeof bp> => bp !== undefined)
    .sort((a, b) => b.measuredOn.localeCompare(a.measuredOn))[0];
  const limbs = sites.sites.map((site) => {
    const answeredSite = answered?.limbs.find((l) => isSite(l, site));
    const fromRecord = draft.limbFindings.filter((f) => f.side === null || f.side === site.side);
    for (const finding of fromRecord) {
      const given = answeredSite?.findings[finding.item];
      if (given && given !== 'yes') {
        overridden.push({
          item: `limbs.${finding.item}`,
          note: `The screening answers say ${given} for ${finding.item} at the ${site.side} ${site.limb}; the EHR record says yes, and yes is used.`,
        });
      }
    }
    const circumferenceCm = site.circumferenceCm ?? answeredSite?.circumferenceCm;
    return {
      limb: site.limb,
      side: site.side,
      ...(circumferenceCm !== undefined ? { circumferenceCm } : {}),
      findings: { ...answeredSite?.findings, ...Object.fromEntries(fromRecord.map((f) => [f.item, 'yes'])) },
    };
  });
  const surgeryDate = draft.answers.recentSurgery === 'yes' ? draft.surgeryDate : answered?.surgeryDate;
  return {
    patient: { ...standIn, ...answered?.patient, ...record },
    answers: { ...answered?.answers, ...draft.answers },
    ...(surgeryDate ? { surgeryDate } : {}),
    ...(newestBp ? { bloodPressure: newestBp } : {}),
    limbs,
    ...(answered?.clearances?.length ? { clearances: answered.clearances } : {}),
  };
}

/**
 * Screens the patient on what the EHR holds: the record, and the clinician's screening
 * questionnaire when the EHR keeps one. Records only answer yes, so without the questionnaire the
 * unanswered items stay unknown and the screening names them. When the record lacks a demographic
 * the rules need (age, sex, height, weight), the screening runs with a stand-in and every finding
 * whose rule read a fact made from it is dropped: what remains holds whatever the missing value is,
 * so a contraindication in the record is reported even when the height is not.
 */
export async function screenRecord(
  catalogue: RuleCatalogue,
  questionnaire: Questionnaire,
  resources: Resource[],
  screenedOn: string,
  sitesWanted: CuffSites,
): Promise<RecordScreening> {
  const fhir = screeningFromFhir(clinicalRecordFrom(resources), catalogue, screenedOn);
  const notes = [...fhir.notes];
  const overridden: RecordScreening['overridden'] = [];
  const validity = {
    mapping: catalogue.table(fhirMapping).screeningAnswers,
    screenedOn,
    ...(fhir.request.surgeryDate ? { latestOperation: fhir.request.surgeryDate } : {}),
  };
  const { answers, unused } = screeningAnswersFrom(resources, questionnaire, validity, notes);
  const sites: CuffSites =
    sitesWanted.origin === 'assumed' && answers
      ? {
          sites: answers.request.limbs.map(({ limb, side, circumferenceCm }) => ({
            limb,
            side,
            ...(circumferenceCm ? { circumferenceCm } : {}),
          })),
          origin: 'screening answers',
        }
      : sitesWanted;
  const known = {
    ...answers?.request.patient,
    ...Object.fromEntries(Object.entries(fhir.request.patient).filter(([, v]) => v !== undefined)),
  };
  const lacking = (Object.keys(FACTS_FROM) as Demographic[]).filter(
    (name) => (known as Record<string, unknown>)[name] === undefined,
  );
  const standIn = {
    ref: 'ehr-record',
    birthDate: `${Number(screenedOn.slice(0, 4)) - 40}-01-01`,
    sex: 'unknown' as const,
    heightCm: 170,
    weightKg: 70,
  };
  const base = {
    rulesetVersion: catalogue.version,
    screenedOn,
    lacking,
    sites,
    ...(answers ? { answers: { reference: answers.reference, authoredOn: answers.authoredOn } } : {}),
    ...(unused ? { unusedAnswers: unused } : {}),
    sources: fhir.sources,
    notes,
    overridden,
  };
  const nothing = { ...base, findings: [], untilAnswered: [], vteFactors: [] };
  const parsed = ScreeningRequest.safeParse(requestFrom(fhir.request, answers?.request, sites, standIn, overridden));
  if (!parsed.success) {
    return { ...nothing, refused: [...new Set(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`))] };
  }
  const request = parsed.data;
  const unknownFacts = new Set(lacking.flatMap((name) => FACTS_FROM[name]));
  const stands = (finding: ScreeningFinding) => !Object.keys(finding.inputs).some((fact) => unknownFacts.has(fact));
  let outcome: ScreeningOutcome;
  let findings: ScreeningFinding[];
  let alsoIfNo: Set<string>;
  try {
    outcome = await screenPatient(catalogue, request, screenedOn);
    findings = outcome.findings.filter(stands);
    // Screening again with every unknown answered no only tells cautions and referrals apart.
    alsoIfNo = findings.every(firmAnyway)
      ? new Set()
      : new Set((await screenPatient(catalogue, everyUnknownAnsweredNo(request), screenedOn)).findings.map(keyOf));
  } catch (error) {
    if (error instanceof DomainError && error.errors) {
      return { ...nothing, refused: error.errors.map((e) => `${e.field} ${e.detail}`) };
    }
    throw error;
  }
  const firm = (finding: ScreeningFinding) => firmAnyway(finding) || alsoIfNo.has(keyOf(finding));
  return {
    ...base,
    request,
    refused: [],
    findings: findings.filter(firm),
    untilAnswered: findings.filter((finding) => !firm(finding)),
    vteFactors: outcome.vteScore.factors,
  };
}

// A contraindication is reported whatever made it fire; a caution or referral that answers of "no"
// would lift is a question to ask, not a warning.
const firmAnyway = (finding: ScreeningFinding) =>
  finding.verdict === 'incomplete' || finding.verdict === 'contraindicated';

const keyOf = (finding: ScreeningFinding) =>
  `${finding.ruleId}@${finding.site ? `${finding.site.side}-${finding.site.limb}` : 'patient'}`;

/** The same request with every item left unanswered answered no, to tell which findings rest on unknowns. */
function everyUnknownAnsweredNo(request: ScreeningRequest): ScreeningRequest {
  const no = (items: object, answered: Record<string, string | undefined>) =>
    Object.fromEntries(
      Object.keys(items).map((item) => [
        item,
        answered[item] === undefined || answered[item] === 'unknown' ? 'no' : answered[item],
      ]),
    ) as Record<string, 'yes' | 'no' | 'unknown'>;
  return {
    ...request,
    answers: no(PATIENT_ITEMS, request.answers),
    limbs: request.limbs.map((limb) => ({ ...limb, findings: no(LIMB_ITEMS, limb.findings) })),
  };
}
