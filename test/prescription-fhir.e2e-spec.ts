import type { Bundle, CarePlan, DocumentReference, Provenance, Resource } from '@medplum/fhirtypes';
import type { Prescription } from '../src/prescription/prescription.schema';
import { onScreeningDay, prescriptionRequest, SCREENED_ON } from './factories';
import { fhirProblemsDeep } from './fhir-validation';
import { type Caller, startTestApp, type TestApp } from './test-app';

const ofType = <T extends Resource>(bundle: Bundle, type: T['resourceType']) =>
  (bundle.entry ?? []).map((e) => e.resource as Resource).filter((r): r is T => r.resourceType === type);

describe('GET /v1/prescriptions/{id}/fhir', () => {
  let sut: TestApp;
  let clinician: Caller;
  let draft: Prescription;
  let approved: Prescription;

  beforeAll(async () => {
    sut = await startTestApp({ PUBLIC_BASE_URL: 'https://bfr.clinic.example' }, { clock: onScreeningDay() });
    clinician = await sut.as('clinician', { subject: 'dr-lee' });
    draft = (await clinician.post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
    const toApprove: Prescription = (await clinician.post('/v1/prescriptions', prescriptionRequest()).expect(201)).body;
    const approver = await sut.as('clinician', { subject: 'dr-okafor' });
    approved = (
      await approver
        .post(`/v1/prescriptions/${toApprove.id}/approve`, {
          acknowledgements: toApprove.plan.cautions.map((c) => ({ caution: c.id })),
        })
        .expect(200)
    ).body;
  });

  afterAll(async () => {
    await sut.close();
  });

  const get = (id: string, caller = clinician) => caller.get(`/v1/prescriptions/${id}/fhir`);

  it('answers an approved plan with an R4 Bundle that passes both validators', async () => {
    const res = await get(approved.id).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const bundle = res.body as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', identifier: { value: approved.id } });
    expect(fhirProblemsDeep(bundle)).toEqual([]);
  });

  it('states the approval: an active CarePlan, the approver and the ruleset version, the handout at this service', async () => {
    const bundle = (await get(approved.id).expect(200)).body as Bundle;
    expect(ofType<CarePlan>(bundle, 'CarePlan')[0]).toMatchObject({
      status: 'active',
      author: { display: 'dr-okafor' },
      period: { start: SCREENED_ON },
    });
    const [provenance] = ofType<Provenance>(bundle, 'Provenance');
    expect(provenance.recorded).toBe(approved.approval!.at);
    expect(provenance.agent[0]).toMatchObject({
      type: { coding: [{ code: 'author' }] },
      who: { display: 'dr-okafor' },
    });
    expect(provenance.entity![0].what.identifier!.value).toBe(approved.plan.rulesetVersion);
    const [handout] = ofType<DocumentReference>(bundle, 'DocumentReference');
    const url = handout.content[0].attachment.url!;
    expect(url).toBe(`https://bfr.clinic.example/v1/prescriptions/${approved.id}/handout.pdf?lang=en`);
    const pdf = await clinician.get(new URL(url).pathname + new URL(url).search).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });

  it('answers a draft with draft orders that pass both validators', async () => {
    const bundle = (await get(draft.id).expect(200)).body as Bundle;
    expect(fhirProblemsDeep(bundle)).toEqual([]);
    expect(ofType<CarePlan>(bundle, 'CarePlan')[0].status).toBe('draft');
  });

  it.each(['viewer', 'admin'] as const)('lets a %s read it', async (role) => {
    await get(approved.id, await sut.as(role)).expect(200);
  });

  it("answers 404 for another organization's plan as for an unknown one, as problem documents", async () => {
    const other = await get(approved.id, await sut.as('clinician', { tenant: 'clinic-south' })).expect(404);
    expect(other.body.code).toBe('PRESCRIPTION_NOT_FOUND');
    const missing = await get('00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const invalid = await get('not-a-uuid').expect(400);
    expect(invalid.body.errors[0].field).toBe('id');
  });
});
