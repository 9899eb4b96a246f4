import { invalidFields } from '../common/validation.pipe';
import type { Evaluation, RuleCatalogue } from '../rules/catalogue';
import { ageOn, limbFacts, patientFacts } from './screening-facts';
import { LIMB_ITEMS } from './screening-items';
import { VERDICTS, type Verdict } from './screening.ruleset';
import type { ScreeningFinding, ScreeningOutcome, ScreeningRequest } from './screening.schema';

/** Oldest plausible patient; an older birth date is a typo. */
const MAX_AGE_YEARS = 120;

function worst(...verdicts: Verdict[]): Verdict {
  return verdicts.reduce((a, b) => (VERDICTS.indexOf(b) > VERDICTS.indexOf(a) ? b : a), 'clear');
}

function best(verdicts: Verdict[]): Verdict {
  return verdicts.reduce((a, b) => (VERDICTS.indexOf(b) < VERDICTS.indexOf(a) ? b : a), 'contraindicated');
}

/** Dates after the screening day, or a birth date no patient has, are refused field by field. */
function dateErrors(request: ScreeningRequest, screenedOn: string): Array<{ field: string; detail: string }> {
  const dates: Array<[string, string | undefined]> = [
    ['patient.birthDate', request.patient.birthDate],
    ['surgeryDate', request.surgeryDate],
    ['bloodPressure.measuredOn', request.bloodPressure?.measuredOn],
    ['clearance.on', request.clearance?.on],
  ];
  const errors = dates
    .filter(([, date]) => date !== undefined && date > screenedOn)
    .map(([field]) => ({ field, detail: `is after the day of screening (${screenedOn})` }));
  if (request.patient.birthDate <= screenedOn && ageOn(request.patient.birthDate, screenedOn) > MAX_AGE_YEARS) {
    errors.push({ field: 'patient.birthDate', detail: `gives an age over ${MAX_AGE_YEARS} years` });
  }
  return errors;
}

function findingsOf(evaluation: Evaluation, site: ScreeningFinding['site'], cleared: boolean): ScreeningFinding[] {
  return evaluation.fired.map(({ rule, event }) => {
    const params = event.params as {
      verdict: ScreeningFinding['verdict'];
      clinicianMessage: string;
      patientMessage: string;
      missing?: string;
      modifications?: ScreeningFinding['modifications'];
    };
    const conditions = evaluation.conditionsOf(rule.id);
    return {
      ruleId: rule.id,
      ruleVersion: rule.version,
      title: rule.title,
      verdict: params.verdict,
      site,
      clinicianMessage: params.clinicianMessage,
      patientMessage: params.patientMessage,
      ...(params.missing ? { missing: site ? `${site.side} ${site.limb}: ${params.missing}` : params.missing } : {}),
      ...(params.modifications ? { modifications: params.modifications } : {}),
      cleared: cleared && params.verdict === 'refer',
      inputs: Object.fromEntries(conditions.map((c) => [c.fact, c.factValue])),
      evidence: rule.evidence,
    };
  });
}

const effective = (finding: ScreeningFinding): Verdict => (finding.cleared ? 'caution' : finding.verdict);

/**
 * Screens a patient for BFR: the VTE points, the patient-level rules, then each planned cuff site.
 * The patient verdict is the worst finding; each site adds its own findings; the overall verdict
 * is the patient verdict, or worse when no site is usable. Plain TypeScript, usable without Nest.
 */
export async function screenPatient(catalogue: RuleCatalogue, request: ScreeningRequest, screenedOn: string): Promise<ScreeningOutcome> {
  const errors = dateErrors(request, screenedOn);
  if (errors.length > 0) {
    throw invalidFields('body', errors);
  }
  const facts = patientFacts(request, screenedOn);
  const points = catalogue.evaluate('vte-points', facts);
  const factors = points.fired.map(({ rule, event }) => ({
    ruleId: rule.id,
    factor: String(event.params.factor),
    points: Number(event.params.points),
  }));
  const vteScore = factors.reduce((sum, f) => sum + f.points, 0);

  const cleared = request.clearance !== undefined;
  const patientFindings = findingsOf(catalogue.evaluate('screening', { ...facts, vteScore }), null, cleared);
  const patientVerdict = worst(...patientFindings.map(effective));

  const limbs: ScreeningOutcome['limbs'] = [];
  const limbFindings: ScreeningFinding[] = [];
  for (const site of request.limbs) {
    const evaluation = catalogue.evaluate('screening-limb', limbFacts(site, Object.keys(LIMB_ITEMS)));
    const found = findingsOf(evaluation, { limb: site.limb, side: site.side }, cleared);
    limbFindings.push(...found);
    limbs.push({ limb: site.limb, side: site.side, verdict: worst(patientVerdict, ...found.map(effective)) });
  }

  const findings = [...patientFindings, ...limbFindings];
  return {
    verdict: worst(patientVerdict, best(limbs.map((l) => l.verdict))),
    screenedOn,
    rulesetVersion: catalogue.version,
    findings,
    missing: [...new Set(findings.flatMap((f) => (f.verdict === 'incomplete' && f.missing ? [f.missing] : [])))],
    modifications: [...new Set(findings.flatMap((f) => (effective(f) === 'caution' ? (f.modifications ?? []) : [])))],
    limbs,
    vteScore: { total: vteScore, factors },
    clearance: request.clearance ?? null,
  };
}
