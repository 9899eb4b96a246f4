import type {
  Bundle,
  CarePlan,
  DeviceRequest,
  DocumentReference,
  Provenance,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';

import { prescriptionRequest, SCREENED_ON } from '../../../test/factories';
import { fhirProblems, fhirProblemsDeep } from '../../../test/fhir-validation';
import { RULES_DATA } from '../../../test/rules-fixtures';
import { generatePlan } from '../../prescription/generate-plan';
import type { Prescription } from '../../prescription/prescription.schema';
import { loadRuleCatalogue } from '../../rulesets';
import { deviceRequestFor, planRequests, serviceRequestFor } from './plan-requests';
import { prescriptionBundle } from './prescription-bundle';

const catalogue = loadRuleCatalogue(RULES_DATA);
const OPTIONS = { baseUrl: 'https://bfr.clinic.example' };

async function stored(status: Prescription['status']): Promise<Prescription> {
  const { plan } = await generatePlan(catalogue, prescriptionRequest(), SCREENED_ON);
  return {
    id: '5b1f0c7e-2f0a-4c57-9a53-8d0f6a1e2b44',
    seriesId: '5b1f0c7e-2f0a-4c57-9a53-8d0f6a1e2b44',
    version: 1,
    previousVersionId: null,
    supersededBy: null,
    status,
    patientRef: 'mrn-1001',
    createdAt: `${SCREENED_ON}T09:30:00.000Z`,
    createdBy: 'dr-lee',
    approval:
      status === 'approved'
        ? { by: 'dr-okafor', at: `${SCREENED_ON}T10:00:00.000Z`, acknowledgements: [], contact: null }
        : null,
    cancellation: null,
    plan,
  };
}

const resources = <T extends Resource>(bundle: Bundle, type: T['resourceType']) =>
  (bundle.entry ?? []).map((e) => e.resource as Resource).filter((r): r is T => r.resourceType === type);

describe('prescriptionBundle', () => {
  let approved: Prescription;
  let bundle: Bundle;

  beforeAll(async () => {
    approved = await stored('approved');
    bundle = prescriptionBundle(approved, OPTIONS);
  });

  it('passes both R4 validators, the Bundle and every resource in it', () => {
    expect(fhirProblemsDeep(bundle)).toEqual([]);
  });

  it('holds a CarePlan, a ServiceRequest and a DeviceRequest per exercise block, the handout and a Provenance', () => {
    const n = approved.plan.exercises.length;
    expect(bundle.type).toBe('collection');
    expect((bundle.entry ?? []).map((e) => e.resource!.resourceType)).toEqual([
      'CarePlan',
      ...Array.from({ length: n }, () => ['ServiceRequest', 'DeviceRequest']).flat(),
      'DocumentReference',
      'Provenance',
    ]);
  });

  it('resolves every reference between its resources inside the Bundle', () => {
    const urls = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
    const references = JSON.stringify(bundle).match(/"reference":"[^"]+"/g) ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const ref of references) {
      expect(urls.has(ref.slice(13, -1))).toBe(true);
    }
    const [carePlan] = resources<CarePlan>(bundle, 'CarePlan');
    expect(carePlan.activity).toHaveLength(approved.plan.exercises.length * 2);
  });

  it('states each cuff setting as the plan has it: LOP, % LOP and mmHg, first session and inflation limit', () => {
    const devices = resources<DeviceRequest>(bundle, 'DeviceRequest');
    approved.plan.exercises.forEach((e, i) => {
      const value = (code: string) =>
        devices[i].parameter!.find((p) => p.code!.coding![0].code === code)!.valueQuantity;
      expect(devices[i].status).toBe('active');
      expect(value('lop')).toEqual({
        value: e.dose.pressure.lop.mmHg,
        unit: 'mm[Hg]',
        system: 'http://unitsofmeasure.org',
        code: 'mm[Hg]',
      });
      expect(value('target-pressure-pct-lop')!.value).toBe(e.dose.pressure.lopPercent);
      expect(value('target-pressure-abs')!.value).toBe(e.dose.pressure.mmHg);
      expect(value('first-session-pressure-abs')!.value).toBe(e.dose.pressure.startMmHg);
      expect(value('max-occlusion-time')).toMatchObject({ value: e.dose.maxContinuousMinutes.value, code: 'min' });
    });
  });

  it('gives each exercise block its timing, cuff site and dose in words', () => {
    const [first] = resources<ServiceRequest>(bundle, 'ServiceRequest');
    const e = approved.plan.exercises[0];
    expect(first.occurrenceTiming!.repeat).toMatchObject({
      frequency: approved.plan.schedule.sessionsPerWeek.value.min,
      period: 1,
      periodUnit: 'wk',
      boundsDuration: { value: approved.plan.schedule.programWeeks.value, code: 'wk' },
    });
    expect(first.bodySite![0].coding![0].code).toBe(`cuff-site-${e.site.limb}-${e.site.side}`);
    expect(first.patientInstruction).toContain(`${e.dose.pressure.mmHg} mmHg`);
    expect(first.note![0].text).toContain(e.basis[0].ruleId);
  });

  it('links the handout route in both languages rather than embedding the PDF', () => {
    const [handout] = resources<DocumentReference>(bundle, 'DocumentReference');
    expect(handout.docStatus).toBe('final');
    expect(handout.content.map((c) => c.attachment.url)).toEqual([
      `https://bfr.clinic.example/v1/prescriptions/${approved.id}/handout.pdf?lang=en`,
      `https://bfr.clinic.example/v1/prescriptions/${approved.id}/handout.pdf?lang=es`,
    ]);
  });

  it('records the approver as author and the ruleset version as the source', () => {
    const [provenance] = resources<Provenance>(bundle, 'Provenance');
    expect(provenance.recorded).toBe(approved.approval!.at);
    expect(provenance.agent.map((a) => [a.type!.coding![0].code, a.who.display])).toEqual([
      ['author', 'dr-okafor'],
      ['assembler', 'bfr-rx'],
    ]);
    expect(provenance.entity![0].what.identifier!.value).toBe(approved.plan.rulesetVersion);
    expect(provenance.target).toHaveLength(bundle.entry!.length - 1);
  });

  it('gives the same Bundle for the same prescription', () => {
    expect(prescriptionBundle(approved, OPTIONS)).toEqual(bundle);
  });

  it('marks a draft as draft: orders in draft, the handout preliminary, the maker as enterer', async () => {
    const draft = prescriptionBundle(await stored('draft'), OPTIONS);
    expect(fhirProblemsDeep(draft)).toEqual([]);
    expect(resources<CarePlan>(draft, 'CarePlan')[0].status).toBe('draft');
    expect(resources<ServiceRequest>(draft, 'ServiceRequest').every((r) => r.status === 'draft')).toBe(true);
    expect(resources<DocumentReference>(draft, 'DocumentReference')[0].docStatus).toBe('preliminary');
    expect(resources<Provenance>(draft, 'Provenance')[0].agent[0].type!.coding![0].code).toBe('enterer');
    const cancelled = prescriptionBundle(await stored('cancelled'), OPTIONS);
    expect(resources<DeviceRequest>(cancelled, 'DeviceRequest').every((r) => r.status === 'revoked')).toBe(true);
  });
});

describe('the order builders for a plan not stored yet (CDS Hooks suggestions)', () => {
  it('make valid draft orders for the given patient, the cuff setting based on its exercise order', async () => {
    const { plan } = await generatePlan(catalogue, prescriptionRequest(), SCREENED_ON);
    const source = { plan, subject: { reference: 'Patient/pat-7' } };
    const service = serviceRequestFor(source, plan.exercises[0]);
    const device = deviceRequestFor(source, plan.exercises[0]);
    expect(fhirProblems(service)).toEqual([]);
    expect(fhirProblems(device)).toEqual([]);
    expect(service).toMatchObject({ status: 'draft', intent: 'order', subject: { reference: 'Patient/pat-7' } });
    expect(service.identifier).toBeUndefined();
    expect(device.basedOn).toEqual([{ reference: `urn:uuid:${service.id}` }]);
    expect(planRequests(source)).toHaveLength(plan.exercises.length);
  });

  it('refuse a plan that is neither stored nor given a patient', async () => {
    const { plan } = await generatePlan(catalogue, prescriptionRequest(), SCREENED_ON);
    expect(() => serviceRequestFor({ plan }, plan.exercises[0])).toThrow(/needs the subject/);
  });

  it('are caught by the validators when a required element is missing or a code is wrong', async () => {
    const { plan } = await generatePlan(catalogue, prescriptionRequest(), SCREENED_ON);
    const service = serviceRequestFor({ plan, subject: { reference: 'Patient/pat-7' } }, plan.exercises[0]);
    expect(fhirProblems({ ...service, subject: undefined } as never).some((p) => p.startsWith('medplum:'))).toBe(true);
    expect(fhirProblems({ ...service, status: 'signed' } as never).some((p) => p.startsWith('fhir:'))).toBe(true);
  });
});
