import type { ValueTransformer } from 'typeorm';

/**
 * Instants are stored as ISO-8601 UTC text: the same column works on SQLite and PostgreSQL, sorts
 * in time order, and never depends on the time zone of the process that wrote it.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};
