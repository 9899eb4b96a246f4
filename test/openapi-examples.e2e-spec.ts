import request from 'supertest';
import type { z } from 'zod';

import { FixedClock } from '../src/common/clock';
import { DeviceSessionRequest, AbortRequest, LopMeasurementRequest } from '../src/device-session/device-session.schema';
import { CdsFeedbackRequest, CdsHookRequest } from '../src/ehr/cds-hooks/cds-hooks.schema';
import { QuestionnaireResponse } from '../src/ehr/fhir/questionnaire-response.schema';
import { OPENAPI_EXAMPLE_DAY, requestExamples } from '../src/openapi-examples';
import { ApprovalRequest, CancellationRequest } from '../src/prescription/prescription.schema';
import { PrescriptionRequest } from '../src/prescription/prescription-request.schema';
import { evaluationRequestFor } from '../src/rules/rules.schema';
import { RULESET_SPECS } from '../src/rulesets';
import { ScreeningRequest } from '../src/screening/screening.schema';
import { DevTokenRequest } from '../src/web-app/web-app.schema';
import { startTestApp, type TestApp } from './test-app';

type Operation = { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } };

const SCHEMAS: Record<string, z.ZodType> = {
  'post /v1/rules/evaluations': evaluationRequestFor(RULESET_SPECS),
  'post /v1/screenings': ScreeningRequest,
  'post /v1/screenings/evaluations': ScreeningRequest,
  'post /v1/screenings/questionnaire-responses': QuestionnaireResponse,
  'post /v1/prescriptions': PrescriptionRequest,
  'post /v1/prescriptions/{id}/revisions': PrescriptionRequest,
  'post /v1/prescriptions/{id}/approve': ApprovalRequest,
  'post /v1/prescriptions/{id}/cancel': CancellationRequest,
  'post /v1/prescriptions/{id}/device-sessions': DeviceSessionRequest,
  'post /v1/device-sessions/{id}/abort': AbortRequest,
  'post /v1/devices/{id}/lop-measurements': LopMeasurementRequest,
  'post /cds-services/{id}': CdsHookRequest,
  'post /cds-services/{id}/feedback': CdsFeedbackRequest,
  'post /app/dev-token': DevTokenRequest,
};

describe('request examples in the OpenAPI document', () => {
  let sut: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  const day = '2026-12-04';

  beforeAll(async () => {
    // A day other than the committed document's: the served examples follow the service's clock.
    sut = await startTestApp({}, { clock: new FixedClock(new Date(`${day}T09:30:00Z`)) });
    paths = (await request(sut.http).get('/docs-json').expect(200)).body.paths;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('gives every request body an example that its schema accepts', () => {
    const withBody = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => (operation.requestBody ? [`${method} ${path}`] : [])),
    );
    expect(withBody.sort()).toEqual(Object.keys(SCHEMAS).sort());
    for (const key of withBody) {
      const [method, path] = key.split(' ');
      const examples = Object.values(paths[path][method].requestBody!.content['application/json'].examples ?? {});
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const parsed = SCHEMAS[key].safeParse(example.value);
        expect({ key, issues: parsed.error?.issues ?? [] }).toEqual({ key, issues: [] });
      }
    }
  });

  it("dates the examples on the service's today, not the committed document's day", () => {
    const screening = paths['/v1/screenings'].post.requestBody!.content['application/json'].examples!.healthyRunner
      .value as { bloodPressure: { measuredOn: string } };
    expect(screening.bloodPressure.measuredOn).toBe(day);
    expect(requestExamples(OPENAPI_EXAMPLE_DAY)['post /v1/screenings'].healthyRunner.value).toMatchObject({
      bloodPressure: { measuredOn: OPENAPI_EXAMPLE_DAY },
    });
  });

  it('screens the example runner as clear, and makes and signs the example ACL plan as it is', async () => {
    const clinician = await sut.tokenFor('clinician');
    const example = (key: string) =>
      Object.values(paths[key.split(' ')[1]][key.split(' ')[0]].requestBody!.content['application/json'].examples!)[0]
        .value as object;
    const screened = await request(sut.http)
      .post('/v1/screenings')
      .auth(clinician, { type: 'bearer' })
      .send(example('post /v1/screenings'))
      .expect(201);
    expect(screened.body.verdict).toBe('clear');
    const fromForm = await request(sut.http)
      .post('/v1/screenings/questionnaire-responses')
      .auth(clinician, { type: 'bearer' })
      .send(example('post /v1/screenings/questionnaire-responses'))
      .expect(201);
    expect(fromForm.body.verdict).toBe('clear');
    await request(sut.http)
      .post('/v1/rules/evaluations')
      .auth(clinician, { type: 'bearer' })
      .send(example('post /v1/rules/evaluations'))
      .expect(200);
    const plan = await request(sut.http)
      .post('/v1/prescriptions')
      .auth(clinician, { type: 'bearer' })
      .send(example('post /v1/prescriptions'))
      .expect(201);
    expect(plan.body.plan.exercises.length).toBeGreaterThan(0);
    const approval = example('post /v1/prescriptions/{id}/approve') as { acknowledgements: unknown[] };
    const acknowledgements = plan.body.plan.cautions.map((c: { id: string }) => ({
      caution: c.id,
      note: 'Discussed with the patient.',
    }));
    const signed = await request(sut.http)
      .post(`/v1/prescriptions/${plan.body.id}/approve`)
      .auth(clinician, { type: 'bearer' })
      .send({ ...approval, acknowledgements })
      .expect(200);
    expect(signed.body.status).toBe('approved');
  });
});
