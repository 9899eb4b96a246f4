import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const AuditRecord = z
  .object({
    seq: z.number().int().describe('Position in the chain, from 1, without gaps.'),
    at: z.string().describe('When the request was answered (ISO 8601, UTC).'),
    actor: z
      .string()
      .nullable()
      .describe(
        'Subject of the token; for a CDS Hooks call the EHR as `issuer|sub` of its JWT (the issuer alone without `sub`); null when the caller was not authenticated.',
      ),
    tenant: z.string().nullable().describe('Organization of the caller.'),
    roles: z.array(z.string()).describe('Roles the token carried.'),
    action: z.string().describe('What was asked: method and route, e.g. `GET /v1/screenings/:id`.'),
    resourceId: z
      .string()
      .nullable()
      .describe(
        'The record the request named or created, if any: the id in the path, the id of a record created (201), the patient of a list by patient (`patient/{ref}`); for a CDS Hooks call or feedback the patient (`Patient/{id}` in the EHR).',
      ),
    outcome: z
      .enum(['success', 'denied', 'failed'])
      .describe('`denied`: refused for authentication, role, organization or rate; `failed`: any other error.'),
    status: z.number().int().describe('HTTP status of the answer.'),
    requestId: z
      .string()
      .describe(
        'The id the service gave the request, as in logs, problem documents and the `x-request-id` answer header.',
      ),
    callerRequestId: z
      .string()
      .optional()
      .describe(
        "The `x-request-id` the caller sent (as it sent it, when 1-128 letters, digits, '.', '_' or '-'), for matching with the caller's own logs; absent when none was sent. It is the caller's word, not the service's.",
      ),
    prevHash: sha256.describe('Hash of the record before it (64 zeros for the first).'),
    hash: sha256.describe("sha256 over the previous hash and this record's content."),
  })
  .meta({ id: 'AuditRecord', description: 'One link of the hash-chained audit trail; it holds no clinical content.' });

export const AuditPage = z
  .object({
    records: z.array(AuditRecord).describe("Records of the caller's organization, oldest first."),
    nextAfter: z
      .number()
      .int()
      .nullable()
      .describe('Pass as `after` for the next page; null when this page is the last.'),
  })
  .meta({ id: 'AuditPage', description: 'A page of the audit trail.' });
export type AuditPage = z.infer<typeof AuditPage>;

export const AuditQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0).describe('Only records after this sequence number.'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('At most this many records (1-500).'),
  actor: z.string().min(1).max(200).optional().describe('Only records of this subject.'),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditVerification = z
  .object({
    scope: z
      .enum(['organization', 'all'])
      .describe(
        "`organization`: the figures count the caller's organization's records only (an admin); `all`: the whole chain (an operator).",
      ),
    intact: z
      .boolean()
      .describe('True when every record of the whole chain matches its hash and links to the one before.'),
    checked: z.number().int().describe('Records (in the scope) verified before the first broken link, or in all.'),
    head: sha256.describe(
      'Hash of the last record (in the scope) verified; keep it to prove later that nothing before it changed.',
    ),
    firstBroken: z
      .object({
        seq: z.number().int().describe('Sequence number of the first broken record.'),
        reason: z.string().describe('What is wrong with it.'),
      })
      .optional()
      .describe(
        "The first broken link, when the chain is not intact and (for an admin) the broken record is one of the organization's.",
      ),
    anchoredAt: z
      .number()
      .int()
      .optional()
      .describe(
        'The record whose hash matched the checkpoint kept outside the database (absent when there is no checkpoint yet); a trail cut short before it is not intact.',
      ),
  })
  .meta({ id: 'AuditVerification', description: 'The result of verifying the whole audit chain.' });
export type AuditVerification = z.infer<typeof AuditVerification>;
