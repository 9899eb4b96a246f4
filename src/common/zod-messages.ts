import { z } from 'zod';

/** A field left out is reported as "is required" rather than as a value of the wrong type. */
z.config({
  customError: (issue) =>
    issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')
      ? 'is required'
      : undefined,
});
