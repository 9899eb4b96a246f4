import { fhirProblems, fhirProblemsDeep } from '../../../test/fhir-validation';
import { editedRulesData, RULES_DATA } from '../../../test/rules-fixtures';
import { loadRuleCatalogue } from '../../rulesets';
import { LOINC, SNOMED } from './codes';
import { fhirMapping, maxAgeDays } from './fhir-mapping';
import { fhirValueSets, inValueSet } from './value-sets';

const catalogue = loadRuleCatalogue(RULES_DATA);
const bundle = catalogue.table(fhirValueSets);
const byId = (id: string) => bundle.entry.find((e) => e.resource.id === id)!.resource;

/** Every code the value sets list, pinned with its display: a change to one shows here in review. */
const PINNED: Record<string, Array<[string, string, string]>> = {
  'venous-thromboembolism': [
    ['http://snomed.info/sct', '128053003', 'Deep venous thrombosis'],
    ['http://snomed.info/sct', '59282003', 'Pulmonary embolism'],
  ],
  pregnancy: [
    ['http://snomed.info/sct', '77386006', 'Pregnancy'],
    ['http://hl7.org/fhir/sid/icd-10-cm', 'Z33.1', 'Pregnant state, incidental'],
  ],
  'sickle-cell-disease': [['http://snomed.info/sct', '417357006', 'Sickling disorder due to hemoglobin S']],
  'peripheral-vascular-disease': [
    ['http://snomed.info/sct', '400047006', 'Peripheral vascular disease'],
    ['http://hl7.org/fhir/sid/icd-10-cm', 'I73.9', 'Peripheral vascular disease, unspecified'],
  ],
  'varicose-veins-lower-limb': [['http://snomed.info/sct', '72866009', 'Varicose veins of lower extremity']],
  lymphoedema: [
    ['http://snomed.info/sct', '234097001', 'Lymphedema'],
    ['http://hl7.org/fhir/sid/icd-10-cm', 'I89.0', 'Lymphedema, not elsewhere classified'],
  ],
  anticoagulants: [
    ['http://www.nlm.nih.gov/research/umls/rxnorm', '11289', 'warfarin'],
    ['http://www.nlm.nih.gov/research/umls/rxnorm', '1364430', 'apixaban'],
    ['http://www.nlm.nih.gov/research/umls/rxnorm', '1114195', 'rivaroxaban'],
    ['http://www.nlm.nih.gov/research/umls/rxnorm', '5224', 'heparin'],
    ['http://www.nlm.nih.gov/research/umls/rxnorm', '67108', 'enoxaparin'],
  ],
  'surgical-procedures': [['http://snomed.info/sct', '387713003', 'Surgical procedure']],
};

describe('the FHIR value sets in rules-data', () => {
  it('list exactly the pinned codes with their displays', () => {
    const listed = Object.fromEntries(
      bundle.entry.map(({ resource }) => [
        resource.id,
        resource.compose.include.flatMap((inc) => (inc.concept ?? []).map((c) => [inc.system, c.code, c.display])),
      ]),
    );
    expect(listed).toEqual(PINNED);
  });

  it.each([
    ['venous-thromboembolism', 'http://hl7.org/fhir/sid/icd-10-cm', 'I26.99', true],
    ['venous-thromboembolism', 'http://hl7.org/fhir/sid/icd-10-cm', 'Z86.718', true],
    ['venous-thromboembolism', 'http://hl7.org/fhir/sid/icd-10-cm', 'I82.90', false],
    ['sickle-cell-disease', 'http://hl7.org/fhir/sid/icd-10-cm', 'D57.00', true],
    ['sickle-cell-disease', 'http://hl7.org/fhir/sid/icd-10-cm', 'D57.3', false],
    ['anticoagulants', 'http://www.whocc.no/atc', 'B01AA03', true],
    ['anticoagulants', 'http://www.whocc.no/atc', 'B01AE07', true],
    ['anticoagulants', 'http://www.whocc.no/atc', 'B01AC06', false],
    ['anticoagulants', 'http://snomed.info/sct', '11289', false],
  ])('%s: %s|%s is in it: %s', (id, system, code, expected) => {
    expect(inValueSet(byId(id), { system, code })).toBe(expected);
  });

  it('are valid R4 ValueSets, and the validators are not blind', () => {
    expect(fhirProblemsDeep(bundle as never)).toEqual([]);
    const broken = { ...byId('pregnancy'), status: 'approved', experimental: 'no' };
    const problems = fhirProblems(broken as never);
    expect(problems.some((p) => p.startsWith('medplum:') && p.includes('experimental'))).toBe(true);
    expect(problems.some((p) => p.startsWith('fhir:') && p.includes('approved'))).toBe(true);
  });

  it('are covered by the ruleset version', () => {
    const edited = loadRuleCatalogue(
      editedRulesData(
        'fhir-value-sets.data.json',
        (vs) => void (vs.entry[1].resource.compose.include[0].concept[0].display = 'Pregnant'),
      ),
    );
    expect(edited.version).not.toBe(catalogue.version);
  });
});

describe('the FHIR mapping in rules-data', () => {
  it('takes the blood-pressure age limit from the screening rule, so the two never disagree', () => {
    expect(maxAgeDays(catalogue, 'blood-pressure')).toBe(30);
    const stricter = loadRuleCatalogue(
      editedRulesData(
        'screening.rules.json',
        (rules) =>
          void (rules.rules.find((r: { id: string }) => r.id === 'ask.blood-pressure-stale').conditions.all[0].value =
            14),
      ),
    );
    expect(maxAgeDays(stricter, 'blood-pressure')).toBe(14);
  });

  it('refuses to load when it names a value set or a rule condition that does not exist', () => {
    expect(() =>
      loadRuleCatalogue(
        editedRulesData(
          'fhir-mapping.data.json',
          (m) => void (m.conditions[0].valueSet = 'https://bfr-rx.example.org/fhir/ValueSet/dvt'),
        ),
      ),
    ).toThrow(
      /fhir.condition.vte-history › conditions.0.valueSet: "https:\/\/bfr-rx.example.org\/fhir\/ValueSet\/dvt" is not in fhir-value-sets.data.json/,
    );
    expect(() =>
      loadRuleCatalogue(
        editedRulesData(
          'fhir-mapping.data.json',
          (m) => void (m.measurements[0].maxAgeFrom.condition = 'older-than-a-month'),
        ),
      ),
    ).toThrow(/rule "ask.blood-pressure-stale" has no condition named "older-than-a-month"/);
  });

  it('refuses an is-a filter on a code system whose hierarchy cannot be read offline', () => {
    expect(() =>
      loadRuleCatalogue(
        editedRulesData(
          'fhir-value-sets.data.json',
          (vs) =>
            void (vs.entry[0].resource.compose.include[0] = {
              system: 'http://snomed.info/sct',
              filter: [{ property: 'concept', op: 'is-a', value: '128053003' }],
            }),
        ),
      ),
    ).toThrow(/is-a filters can only be evaluated offline/);
  });

  it('has a rationale and evidence for every entry', () => {
    const mapping = catalogue.table(fhirMapping);
    for (const entry of [
      ...mapping.conditions,
      ...mapping.medications,
      ...mapping.procedures,
      ...mapping.measurements,
    ]) {
      expect(entry.rationale.length).toBeGreaterThan(20);
      expect(entry.evidence.length).toBeGreaterThan(0);
    }
  });
});

describe('the standard codes bfr-rx reads and writes', () => {
  it('are pinned with their displays', () => {
    expect([
      LOINC.bloodPressurePanel,
      LOINC.systolic,
      LOINC.diastolic,
      LOINC.bodyWeight,
      LOINC.bodyHeight,
      LOINC.patientInstructions,
      SNOMED.surgicalProcedure,
      SNOMED.exerciseTherapy,
    ]).toEqual([
      { system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' },
      { system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' },
      { system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' },
      { system: 'http://loinc.org', code: '29463-7', display: 'Body weight' },
      { system: 'http://loinc.org', code: '8302-2', display: 'Body height' },
      { system: 'http://loinc.org', code: '69730-0', display: 'Instructions [Text] Narrative' },
      { system: 'http://snomed.info/sct', code: '387713003', display: 'Surgical procedure' },
      { system: 'http://snomed.info/sct', code: '229065009', display: 'Exercise therapy' },
    ]);
  });
});
