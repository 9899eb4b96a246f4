import type { StandardSchemaV1 } from '@standard-schema/spec';

import { DomainError, ErrorCode, type FieldError } from './problem';

function pathKeys(issue: StandardSchemaV1.Issue): string[] {
  return (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
}

function fieldError(location: FieldError['in'], keys: string[], detail: string): FieldError {
  return {
    in: location,
    field: keys.join('.'),
    pointer: keys.map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join(''),
    detail,
  };
}

/** One entry per offending field; an unknown key is reported at its own path, not its parent's. */
export function toFieldErrors(location: FieldError['in'], issues: readonly StandardSchemaV1.Issue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const keys = pathKeys(issue);
    const unknownKeys =
      (issue as { code?: string; keys?: string[] }).code === 'unrecognized_keys'
        ? ((issue as { keys?: string[] }).keys ?? [])
        : [];
    if (unknownKeys.length > 0) {
      return unknownKeys.map((key) => fieldError(location, [...keys, key], 'is not a known field'));
    }
    return [fieldError(location, keys, issue.message)];
  });
}

/**
 * A refusal of fields found invalid after the schema passed (dates after the day, a field that must
 * match a stored record), worded and located like the pipe's own.
 */
export function invalidFields(
  location: FieldError['in'],
  refused: ReadonlyArray<{ field: string; detail: string }>,
): DomainError {
  const errors = refused.map(({ field, detail }) => fieldError(location, field.split('.'), detail));
  return invalidFieldsError(location, errors);
}

export function invalidFieldsError(location: FieldError['in'], errors: FieldError[]): DomainError {
  const fields = errors.map((e) => e.field || `(${location})`);
  return new DomainError(
    ErrorCode.ValidationFailed,
    `The ${location} has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${[...new Set(fields)].join(', ')}.`,
    errors,
  );
}
