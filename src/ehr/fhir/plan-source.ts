import { createHash } from 'node:crypto';

import type { Patient, Practitioner, Reference } from '@medplum/fhirtypes';

import type { Plan } from '../../prescription/plan.schema';
import type { Prescription } from '../../prescription/prescription.schema';
import { CANONICAL, SYSTEM } from './codes';
import { uuidFor } from './fhir-ids';

/**
 * What the FHIR builders work from: a plan, and the stored prescription it belongs to when there is
 * one. A plan not stored yet (a CDS Hooks suggestion) gives draft resources.
 */
export interface PlanSource {
  plan: Plan;
  prescription?: Pick<
    Prescription,
    'id' | 'version' | 'status' | 'patientRef' | 'createdAt' | 'createdBy' | 'approval'
  >;
  /** The patient; for a stored plan by default a logical reference by the clinic's MRN. */
  subject?: Reference<Patient>;
}

export type RequestStatus = 'draft' | 'active' | 'revoked';

/** An approved plan is an active order; cancelled and superseded ones are revoked; the rest are drafts. */
export function requestStatus(source: PlanSource): RequestStatus {
  switch (source.prescription?.status) {
    case 'approved':
      return 'active';
    case 'cancelled':
    case 'superseded':
      return 'revoked';
    default:
      return 'draft';
  }
}

export const PRESCRIPTION_SYSTEM = `${CANONICAL}/prescription`;
export const RULESET_SYSTEM = `${CANONICAL}/ruleset`;
export const EXERCISE_SYSTEM = `${CANONICAL}/CodeSystem/bfr-exercise`;

export function subjectOf(source: PlanSource): Reference<Patient> {
  if (source.subject) {
    return source.subject;
  }
  if (!source.prescription) {
    throw new Error('a plan that is not stored needs the subject it is for');
  }
  return {
    identifier: {
      type: { coding: [{ system: SYSTEM.identifierType, code: 'MR', display: 'Medical record number' }] },
      value: source.prescription.patientRef,
    },
  };
}

/** The seed of a plan's resource ids: the prescription id, or the plan's content for an unstored plan. */
export function seedOf(source: PlanSource): string {
  return source.prescription?.id ?? createHash('sha256').update(JSON.stringify(source.plan)).digest('hex');
}

export const idFor = (source: PlanSource, name: string) => uuidFor(seedOf(source), name);

/** A user of bfr-rx, as FHIR cites them: by the token subject, a clinician. */
export function userReference(subject: string): Reference<Practitioner> {
  return { identifier: { system: `${CANONICAL}/user`, value: subject }, display: subject };
}
