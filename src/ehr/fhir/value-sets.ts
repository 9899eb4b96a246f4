import type { Coding } from '@medplum/fhirtypes';
import { z } from 'zod';

import type { DataSpec } from '../../rules/data-spec';
import { CANONICAL, SYSTEM } from './codes';
import { codings } from './record-values';

/**
 * Code systems whose hierarchy is written into the code itself (ICD-10-CM I82.4 > I82.40 > I82.409,
 * ATC B01A > B01AF > B01AF01), so an `is-a` filter can be evaluated offline by prefix. SNOMED CT
 * and RxNorm hierarchies need a terminology server, so their value sets list concepts one by one.
 */
const PREFIX_HIERARCHIES: readonly string[] = [SYSTEM.icd10cm, SYSTEM.atc];

const Concept = z.strictObject({ code: z.string().trim().min(1), display: z.string().trim().min(2) });

const IsA = z.strictObject({ property: z.literal('concept'), op: z.literal('is-a'), value: z.string().trim().min(1) });

const Include = z
  .strictObject({
    system: z.enum([SYSTEM.snomed, SYSTEM.icd10cm, SYSTEM.rxnorm, SYSTEM.atc]),
    concept: z.array(Concept).min(1).optional(),
    filter: z.array(IsA).min(1).optional(),
  })
  .refine((inc) => (inc.concept === undefined) !== (inc.filter === undefined), 'give either concept or filter')
  .refine((inc) => inc.filter === undefined || PREFIX_HIERARCHIES.includes(inc.system), {
    path: ['filter'],
    message: `is-a filters can only be evaluated offline for ${PREFIX_HIERARCHIES.join(' and ')}; list the concepts instead`,
  });

export const ValueSetResource = z.strictObject({
  resourceType: z.literal('ValueSet'),
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  url: z.string().startsWith(`${CANONICAL}/ValueSet/`),
  version: z.string().min(1),
  name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a computable name, e.g. "VenousThromboembolism"'),
  title: z.string().trim().min(3),
  status: z.enum(['draft', 'active', 'retired']),
  experimental: z.boolean(),
  publisher: z.string().trim().min(2),
  description: z.string().trim().min(10),
  purpose: z.string().trim().min(10),
  compose: z.strictObject({ include: z.array(Include).min(1), exclude: z.array(Include).min(1).optional() }),
});
export type ValueSetResource = z.infer<typeof ValueSetResource>;

const ValueSetBundle = z
  .strictObject({
    resourceType: z.literal('Bundle'),
    id: z.string().min(1),
    type: z.literal('collection'),
    entry: z.array(z.strictObject({ fullUrl: z.string().min(1), resource: ValueSetResource })).min(1),
  })
  .superRefine((bundle, ctx) => {
    const seen = new Set<string>();
    bundle.entry.forEach((entry, i) => {
      if (entry.fullUrl !== entry.resource.url) {
        ctx.addIssue({ code: 'custom', path: ['entry', i, 'fullUrl'], message: 'must equal resource.url' });
      }
      if (seen.has(entry.resource.url)) {
        ctx.addIssue({
          code: 'custom',
          path: ['entry', i, 'resource', 'url'],
          message: 'is used by another value set',
        });
      }
      seen.add(entry.resource.url);
    });
  });
export type ValueSetBundle = z.infer<typeof ValueSetBundle>;

/** `rules-data/fhir-value-sets.data.json`: the value sets the FHIR mapping matches codes against. */
export const fhirValueSets: DataSpec<ValueSetBundle> = { name: 'fhir-value-sets', schema: ValueSetBundle };

/** ICD-10-CM codes arrive with or without the dot; ATC in either case. */
const normalise = (system: string, code: string) =>
  PREFIX_HIERARCHIES.includes(system) ? code.replace('.', '').toUpperCase() : code;

function includes(entry: z.infer<typeof Include>, coding: Coding): boolean {
  if (coding.system !== entry.system || !coding.code) {
    return false;
  }
  const code = normalise(entry.system, coding.code);
  if (entry.concept) {
    return entry.concept.some((c) => normalise(entry.system, c.code) === code);
  }
  return (entry.filter ?? []).every((f) => code.startsWith(normalise(entry.system, f.value)));
}

/** True when the coding is in the value set: included by one entry and excluded by none. */
export function inValueSet(valueSet: ValueSetResource, coding: Coding): boolean {
  return (
    valueSet.compose.include.some((inc) => includes(inc, coding)) &&
    !(valueSet.compose.exclude ?? []).some((exc) => includes(exc, coding))
  );
}

/** The first coding of a concept that is in the value set. */
export function codingIn(valueSet: ValueSetResource, concept: unknown): Coding | undefined {
  return codings(concept).find((coding) => inValueSet(valueSet, coding));
}
