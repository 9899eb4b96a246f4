import { resolve } from 'node:path';
import { z } from 'zod';

/** Where the service keeps its records: an embedded SQLite file, or a PostgreSQL server. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const databaseUrl = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx): DatabaseTarget => {
    if (/^postgres(ql)?:\/\//.test(value)) {
      if (!URL.canParse(value)) {
        ctx.addIssue({ code: 'custom', message: 'is not a valid postgres:// URL' });
        return z.NEVER;
      }
      return { kind: 'postgres', url: value };
    }
    if (value.startsWith('sqlite:')) {
      const file = value.slice('sqlite:'.length);
      if (file.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'names no file after "sqlite:"' });
        return z.NEVER;
      }
      return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must start with "sqlite:" (e.g. sqlite:data/bfr-rx.sqlite) or "postgres://"',
    });
    return z.NEVER;
  });

export const DATABASE_VARIABLES = {
  DATABASE_URL: databaseUrl.prefault('sqlite:data/bfr-rx.sqlite'),
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
};
type DatabaseEnv = z.infer<z.ZodObject<typeof DATABASE_VARIABLES>>;

/**
 * Where the audit chain's head is anchored outside the database: the file named, else beside an
 * SQLite file; none for an in-memory SQLite database or PostgreSQL unless named.
 */
export function auditCheckpointFile(e: DatabaseEnv): string | null {
  if (e.AUDIT_CHECKPOINT_FILE) {
    return resolve(e.AUDIT_CHECKPOINT_FILE);
  }
  return e.DATABASE_URL.kind === 'sqlite' && e.DATABASE_URL.file !== ':memory:'
    ? `${e.DATABASE_URL.file}.audit-checkpoint`
    : null;
}
