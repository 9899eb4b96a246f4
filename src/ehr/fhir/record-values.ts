import type { Coding } from '@medplum/fhirtypes';

/**
 * Readers for values of EHR resources. Resources arrive as JSON from another system (CDS Hooks
 * prefetch, a FHIR server): a field of the wrong shape is read as absent, never trusted and never a
 * crash, and absent stays unknown.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The well-formed codings of a CodeableConcept. */
export function codings(concept: unknown): Coding[] {
  return list(field(concept, 'coding')).flatMap((c) => {
    const system = text(field(c, 'system'));
    const code = text(field(c, 'code'));
    return system && code
      ? [{ system, code, ...(text(field(c, 'display')) ? { display: text(field(c, 'display')) } : {}) }]
      : [];
  });
}

/** The code of a status CodeableConcept in the given system (a coding without a system is accepted too). */
export function statusCode(concept: unknown, system: string): string | undefined {
  const found = list(field(concept, 'coding')).find((c) => {
    const s = field(c, 'system');
    return (s === undefined || s === system) && typeof field(c, 'code') === 'string';
  });
  return found ? (field(found, 'code') as string) : undefined;
}

/** Words a person recorded: the concept's text and its codings' displays. */
export function wording(concept: unknown): string[] {
  return [text(field(concept, 'text')), ...codings(concept).map((c) => c.display)].filter(
    (t): t is string => t !== undefined,
  );
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The calendar day of a FHIR date or dateTime; a partial date (year, year-month) gives none. */
export function day(value: unknown): string | undefined {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (!match || Number.isNaN(Date.parse(match[1]))) {
    return undefined;
  }
  return match[1];
}

/** `ResourceType/id`, as cards and Provenance cite a resource. */
export function referenceTo(resource: unknown): string {
  const type = text(field(resource, 'resourceType')) ?? 'Resource';
  const id = text(field(resource, 'id'));
  return id ? `${type}/${id}` : `${type} (without id)`;
}

/** A Quantity's value in one of the accepted UCUM units, converted by the factor given for it. */
export function quantityIn(quantity: unknown, units: Record<string, number>): number | undefined {
  const value = field(quantity, 'value');
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return undefined;
  }
  const code = text(field(quantity, 'code')) ?? text(field(quantity, 'unit'));
  const factor = code === undefined ? undefined : units[code];
  return factor === undefined ? undefined : value * factor;
}

/** Human name of a coded thing for a note: the display or text, else system|code. */
export function nameOf(concept: unknown): string {
  const first = codings(concept)[0];
  return text(field(concept, 'text')) ?? first?.display ?? (first ? `${first.system}|${first.code}` : 'uncoded');
}
