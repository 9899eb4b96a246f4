import { invalidFields } from '../common/field-errors';
import type { Evaluation, RuleCatalogue } from '../rules/catalogue';
import { ageOn, limbFacts, patientFacts, type ScreeningContext } from './screening-facts';
import { LIMB_ITEMS, PATIENT_ITEMS } from './screening-items';
import { VERDICTS, type Verdict } from './screening.ruleset';
import type { Clearance, ScreeningFinding, ScreeningOutcome, ScreeningRequest } from './screening.schema';

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
    ...(request.clearances ?? []).map((c, i): [string, string] => [`clearances.${i}.on`, c.on]),
  ];
  const errors = dates
    .filter(([, date]) => date !== undefined && date > screenedOn)
    .map(([field]) => ({ field, detail: `is after the day of screening (${screenedOn})` }));
  if (request.patient.birthDate <= screenedOn && ageOn(request.patient.birthDate, screenedOn) > MAX_AGE_YEARS) {
    errors.push({ field: 'patient.birthDate', detail: `gives an age over ${MAX_AGE_YEARS} years` });
  }
  return errors;
}

/** A rule a clearance may name: a screening finding or a selection rule that asks for a medical clearance. */
export function clearable(catalogue: RuleCatalogue, ruleId: string): boolean {
  const found = catalogue.rule(ruleId);
  if (!found) {
    return false;
  }
  const { ruleset, rule } = found;
  return ruleset === 'selection'
    ? rule.event.type === 'refer'
    : ['screening', 'screening-limb'].includes(ruleset) && rule.event.params?.verdict === 'refer';
}

/** A clearance that names a rule no clearance can lift (or no rule at all) is refused, never ignored. */
function clearanceErrors(
  catalogue: RuleCatalogue,
  clearances: readonly Clearance[],
): Array<{ field: string; detail: string }> {
  return clearances.flatMap((clearance, i) =>
    clearance.findings
      .map((ruleId, j) => ({ ruleId, field: `clearances.${i}.findings.${j}` }))
      .filter(({ ruleId }) => !clearable(catalogue, ruleId))
      .map(({ ruleId, field }) => ({
        field,
        detail: catalogue.rule(ruleId)
          ? `names ${ruleId}, which a clearance cannot lift: only findings that ask for a medical clearance (verdict refer) can be cleared`
          : `names ${ruleId}, which is not a rule of this ruleset`,
      })),
  );
}

/** The clearance that names a rule, if one does. */
export function clearanceFor(clearances: readonly Clearance[], ruleId: string): Clearance | undefined {
  return clearances.find((c) => c.findings.includes(ruleId));
}

interface FindingParams {
  verdict: ScreeningFinding['verdict'];
  clinicianMessage: string;
  patientMessage: string;
  missing?: string;
  missingFrom?: string;
  unanswered?: string;
  modifications?: ScreeningFinding['modifications'];
}

/** Findings of unanswered caution items, by the item each stands for. */
type Unanswered = Map<ScreeningFinding, string>;

function findingsOf(
  evaluation: Evaluation,
  site: ScreeningFinding['site'],
  clearances: readonly Clearance[],
  facts: Record<string, unknown>,
  unanswered: Unanswered,
): ScreeningFinding[] {
  return evaluation.fired.map(({ rule, event }) => {
    const params = event.params as unknown as FindingParams;
    const conditions = evaluation.conditionsOf(rule.id);
    const clearance = params.verdict === 'refer' ? clearanceFor(clearances, rule.id) : undefined;
    const missing = params.missingFrom ? (facts[params.missingFrom] as string[]).join(', ') : params.missing;
    const finding: ScreeningFinding = {
      ruleId: rule.id,
      ruleVersion: rule.version,
      title: rule.title,
      verdict: params.verdict,
      site,
      clinicianMessage: params.clinicianMessage,
      patientMessage: params.patientMessage,
      ...(missing ? { missing: site ? `${site.side} ${site.limb}: ${missing}` : missing } : {}),
      ...(params.modifications ? { modifications: params.modifications } : {}),
      cleared: clearance !== undefined,
      ...(clearance ? { clearance } : {}),
      inputs: Object.fromEntries(conditions.map((c) => [c.fact, c.factValue])),
      evidence: rule.evidence,
    };
    if (params.unanswered && params.verdict === 'caution') {
      unanswered.set(finding, params.unanswered);
    }
    return finding;
  });
}

/**
 * The VTE points of the answers given, and what the score could reach if every item not answered
 * were yes: the points rules that would then fire, and the unanswered items they read.
 */
function vtePoints(catalogue: RuleCatalogue, facts: Record<string, unknown>) {
  const points = catalogue.evaluate('vte-points', facts);
  const unknown = Object.keys(PATIENT_ITEMS).filter((item) => facts[item] === 'unknown');
  // With every item answered, the score cannot reach further than it is.
  const ifYes =
    unknown.length === 0
      ? points
      : catalogue.evaluate('vte-points', { ...facts, ...Object.fromEntries(unknown.map((item) => [item, 'yes'])) });
  const fired = new Set(points.fired.map((f) => f.rule.id));
  const extra = ifYes.fired.filter((f) => !fired.has(f.rule.id));
  const factors = points.fired.map(({ rule, event }) => ({
    ruleId: rule.id,
    factor: String(event.params.factor),
    points: Number(event.params.points),
  }));
  const total = factors.reduce((sum, f) => sum + f.points, 0);
  const items = extra.flatMap((f) =>
    ifYes
      .conditionsOf(f.rule.id)
      .filter((c) => c.result === true && unknown.includes(c.fact))
      .map((c) => c.fact),
  );
  return {
    factors,
    total,
    ifUnansweredYes: total + extra.reduce((sum, f) => sum + Number(f.event.params.points), 0),
    unansweredItems: [...new Set(items)],
  };
}

const effective = (finding: ScreeningFinding): Verdict => (finding.cleared ? 'caution' : finding.verdict);

/**
 * Screens a patient for BFR: the VTE points, the patient-level rules, then each planned cuff site.
 * The patient verdict is the worst finding; each site adds its own findings; the overall verdict
 * is the patient verdict, or worse when no site is usable. Plain TypeScript, usable without Nest.
 */
export async function screenPatient(
  catalogue: RuleCatalogue,
  request: ScreeningRequest,
  screenedOn: string,
  context: ScreeningContext = { surgicalIndication: false },
): Promise<ScreeningOutcome> {
  const clearances = request.clearances ?? [];
  const errors = [...dateErrors(request, screenedOn), ...clearanceErrors(catalogue, clearances)];
  if (errors.length > 0) {
    throw invalidFields('body', errors);
  }
  const facts = patientFacts(request, screenedOn, context);
  const vte = vtePoints(catalogue, facts);
  const screeningFacts = {
    ...facts,
    vteScore: vte.total,
    vteScoreIfUnanswered: vte.ifUnansweredYes,
    vteUnansweredItems: vte.unansweredItems,
  };

  const unanswered: Unanswered = new Map();
  const patientFindings = findingsOf(
    catalogue.evaluate('screening', screeningFacts),
    null,
    clearances,
    screeningFacts,
    unanswered,
  );
  const limbFindings = new Map<ScreeningRequest['limbs'][number], ScreeningFinding[]>();
  for (const site of request.limbs) {
    const siteFacts = limbFacts(site, Object.keys(LIMB_ITEMS));
    const evaluation = catalogue.evaluate('screening-limb', siteFacts);
    limbFindings.set(
      site,
      findingsOf(evaluation, { limb: site.limb, side: site.side }, clearances, siteFacts, unanswered),
    );
  }

  const verdicts = (patient: ScreeningFinding[]) => {
    const patientVerdict = worst(...patient.map(effective));
    const limbs = request.limbs.map((site) => ({
      limb: site.limb,
      side: site.side,
      verdict: worst(patientVerdict, ...limbFindings.get(site)!.map(effective)),
    }));
    return { limbs, verdict: worst(patientVerdict, best(limbs.map((l) => l.verdict))) };
  };
  // An unanswered caution item is asked, not assumed, when it alone would turn a clear screening into
  // a caution, and along with the other questions when the screening is incomplete anyway.
  const answeredOnly = verdicts(patientFindings.filter((f) => !unanswered.has(f)));
  const asked =
    answeredOnly.verdict === 'clear' || answeredOnly.verdict === 'incomplete'
      ? patientFindings.map((f): ScreeningFinding => {
          const item = unanswered.get(f);
          if (item === undefined) {
            return f;
          }
          const { modifications: _modifications, ...rest } = f;
          return { ...rest, verdict: 'incomplete', missing: item };
        })
      : patientFindings;
  const { limbs, verdict } = verdicts(asked);

  const findings = [...asked, ...request.limbs.flatMap((site) => limbFindings.get(site)!)];
  return {
    verdict,
    screenedOn,
    rulesetVersion: catalogue.version,
    findings,
    missing: [
      ...new Set(findings.flatMap((f) => (f.verdict === 'incomplete' && f.missing ? f.missing.split(', ') : []))),
    ],
    modifications: [...new Set(findings.flatMap((f) => (effective(f) === 'caution' ? (f.modifications ?? []) : [])))],
    limbs,
    vteScore: { total: vte.total, factors: vte.factors },
    clearances,
  };
}
