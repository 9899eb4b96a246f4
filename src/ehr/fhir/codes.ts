import type { Coding } from '@medplum/fhirtypes';

/**
 * Code systems and the standard codes bfr-rx reads and writes. Each code is pinned with its display
 * and was checked against the FHIR R4 definitions (vital-signs profiles, procedure-category and
 * document-type value sets) or HL7 terminology; clinical judgements about codes (which conditions
 * count, how old a measurement may be) live in rules-data/, not here.
 */
export const SYSTEM = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  atc: 'http://www.whocc.no/atc',
  ucum: 'http://unitsofmeasure.org',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
} as const;

/**
 * The canonical base of the FHIR artefacts bfr-rx publishes (value sets, its code system, the
 * screening questionnaire). A stable name, not an address the service answers at.
 */
export const CANONICAL = 'https://bfr-rx.example.org/fhir';

/** bfr-rx's own code system, for BFR concepts no standard terminology has (LOP, % LOP, dose). */
export const BFR_SYSTEM = `${CANONICAL}/CodeSystem/bfr`;

const loinc = (code: string, display: string): Coding => ({ system: SYSTEM.loinc, code, display });
const snomed = (code: string, display: string): Coding => ({ system: SYSTEM.snomed, code, display });
const bfr = (code: string, display: string): Coding => ({ system: BFR_SYSTEM, code, display });

/** LOINC codes of the R4 vital-signs profiles (bp, bodyweight, bodyheight). */
export const LOINC = {
  bloodPressurePanel: loinc('85354-9', 'Blood pressure panel with all children optional'),
  systolic: loinc('8480-6', 'Systolic blood pressure'),
  diastolic: loinc('8462-4', 'Diastolic blood pressure'),
  bodyWeight: loinc('29463-7', 'Body weight'),
  bodyHeight: loinc('8302-2', 'Body height'),
  /** Document type of the handout (C-CDA / IHE section codes). */
  patientInstructions: loinc('69730-0', 'Instructions [Text] Narrative'),
} as const;

export const SNOMED = {
  /** Observable entity used for limb circumference (HL7 Europe HDR value set). */
  lowerLimbCircumference: snomed('413171006', 'Lower limb circumference'),
  thigh: snomed('68367000', 'Thigh structure'),
  left: snomed('7771000', 'Left'),
  right: snomed('24028007', 'Right'),
  exerciseTherapy: snomed('229065009', 'Exercise therapy'),
  surgicalProcedure: snomed('387713003', 'Surgical procedure'),
} as const;

/** Concepts of the bfr-rx code system. */
export const BFR = {
  lop: bfr('lop', 'Limb occlusion pressure'),
  lopMethod: bfr('lop-method', 'LOP measurement method'),
  bodyPosition: bfr('body-position', 'Body position during the measurement'),
  cuffWidth: bfr('cuff-width', 'Cuff width'),
  cuff: bfr('bfr-cuff', 'BFR pneumatic cuff'),
  bfrProgramme: bfr('bfr-programme', 'Blood-flow-restriction training programme'),
  bfrExercise: bfr('bfr-exercise', 'Blood-flow-restriction exercise'),
  targetPressurePercentLop: bfr('target-pressure-pct-lop', 'Working cuff pressure, % LOP'),
  targetPressure: bfr('target-pressure-abs', 'Working cuff set point'),
  firstSessionPressurePercentLop: bfr('first-session-pressure-pct-lop', 'First-session cuff pressure, % LOP'),
  firstSessionPressure: bfr('first-session-pressure-abs', 'First-session cuff set point'),
  maxOcclusionTime: bfr('max-occlusion-time', 'Longest continuous inflation'),
  reperfusion: bfr('reperfusion-time', 'Deflated time after the exercise'),
  cuffSite: (limb: string, side: string) =>
    bfr(`cuff-site-${limb}-${side}`, `Cuff site: ${side} ${limb.replace('-', ' ')}`),
} as const;

/** A UCUM quantity, as FHIR writes it. */
export function ucum(
  value: number,
  code: string,
  unit = code,
): { value: number; unit: string; system: string; code: string } {
  return { value, unit, system: SYSTEM.ucum, code };
}

/** True when the concept carries a coding with this system and code. */
export function hasCoding(concept: { coding?: Coding[] } | undefined, wanted: Coding): boolean {
  return (concept?.coding ?? []).some((c) => c.system === wanted.system && c.code === wanted.code);
}
