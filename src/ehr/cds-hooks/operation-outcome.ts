import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import type { ErrorFormat } from '../../common/error-formats';
import { DomainError, ErrorCode, PROBLEM_TYPES } from '../../common/problem';

/** The FHIR issue types this service reports (http://hl7.org/fhir/issue-type). */
const IssueType = z.enum([
  'invalid',
  'structure',
  'required',
  'value',
  'login',
  'expired',
  'forbidden',
  'not-found',
  'not-supported',
  'too-long',
  'throttled',
  'processing',
  'exception',
  'transient',
]);
type IssueType = z.infer<typeof IssueType>;

export const OperationOutcomeIssue = z
  .object({
    severity: z
      .enum(['fatal', 'error', 'warning', 'information'])
      .describe('How bad the issue is; `error` for every refusal.'),
    code: IssueType.describe('FHIR issue type (http://hl7.org/fhir/issue-type).'),
    details: z
      .object({ text: z.string().describe('What went wrong, in plain words.') })
      .describe('The issue, written for the integrator.'),
    diagnostics: z.string().optional().describe('Extra technical detail, e.g. the prefetch key or the request id.'),
    expression: z
      .array(z.string())
      .optional()
      .describe('The refused field of the request, as a dotted path (e.g. `context.patientId`).'),
  })
  .meta({ id: 'OperationOutcomeIssue', description: 'One issue of an OperationOutcome.' });
export type OperationOutcomeIssue = z.infer<typeof OperationOutcomeIssue>;

export const OperationOutcome = z
  .object({
    resourceType: z.literal('OperationOutcome').describe('Always `OperationOutcome`.'),
    issue: z.array(OperationOutcomeIssue).min(1).describe('Every issue found.'),
  })
  .meta({ id: 'OperationOutcome', description: 'A FHIR R4 OperationOutcome: how CDS Hooks routes answer an error.' });
export type OperationOutcome = z.infer<typeof OperationOutcome>;

/** A failure of a CDS Hooks call, with the HTTP status and the issues to answer it with. */
export class OperationOutcomeError extends Error {
  constructor(
    readonly status: number,
    readonly issues: OperationOutcomeIssue[],
    options?: { cause?: unknown },
  ) {
    super(issues.map((i) => i.details.text).join(' '), options);
    this.name = 'OperationOutcomeError';
  }
}

export function issue(
  code: IssueType,
  text: string,
  extra: { diagnostics?: string; expression?: string[] } = {},
): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, ...extra };
}

const ISSUE_TYPES: Partial<Record<ErrorCode, IssueType>> = {
  [ErrorCode.ValidationFailed]: 'invalid',
  [ErrorCode.MalformedJson]: 'structure',
  [ErrorCode.UnsupportedMediaType]: 'not-supported',
  [ErrorCode.PayloadTooLarge]: 'too-long',
  [ErrorCode.UriTooLong]: 'too-long',
  [ErrorCode.HeadersTooLarge]: 'too-long',
  [ErrorCode.BadRequest]: 'invalid',
  [ErrorCode.Unauthenticated]: 'login',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.TooManyRequests]: 'throttled',
  [ErrorCode.RouteNotFound]: 'not-found',
  [ErrorCode.ServiceUnavailable]: 'transient',
};

function fieldIssues(error: DomainError): OperationOutcomeIssue[] {
  return (error.errors ?? []).map((field) =>
    issue(
      field.detail === 'is required' ? 'required' : 'invalid',
      field.field ? `${field.field} ${field.detail}` : `The ${field.in} ${field.detail}`,
      {
        ...(field.field ? { expression: [field.field] } : {}),
      },
    ),
  );
}

const UNEXPECTED =
  'The CDS service failed in a way it did not foresee; no cards were made. Quote the request id when reporting it.';

/**
 * The answer to an error on a CDS Hooks route: FHIR OperationOutcome (CDS Hooks 3.0 error bodies)
 * with the HTTP status the error calls for. Unexpected errors say so and nothing more.
 */
export function outcomeOf(
  error: OperationOutcomeError | DomainError,
  requestId: string,
): { status: number; outcome: OperationOutcome } {
  const answer = (status: number, issues: OperationOutcomeIssue[]) => ({
    status,
    outcome: {
      resourceType: 'OperationOutcome' as const,
      issue: issues.map((i) => ({ ...i, diagnostics: i.diagnostics ?? `request id ${requestId}` })),
    },
  });
  if (error instanceof OperationOutcomeError) {
    return answer(error.status, error.issues);
  }
  const status = PROBLEM_TYPES[error.code].status;
  if (status >= 500) {
    return answer(status, [
      issue(ISSUE_TYPES[error.code] ?? 'exception', error.code === ErrorCode.InternalError ? UNEXPECTED : error.detail),
    ]);
  }
  if (error.code === ErrorCode.RouteNotFound) {
    return answer(status, [
      issue('not-found', 'No CDS Hooks endpoint answers this method and path; GET /cds-services lists the services.'),
    ]);
  }
  const fields = fieldIssues(error);
  return answer(status, fields.length > 0 ? fields : [issue(ISSUE_TYPES[error.code] ?? 'processing', error.detail)]);
}

/** Paths of the CDS Hooks routes; errors there are answered as OperationOutcome. */
export function isCdsHooksPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/cds-services' || path.startsWith('/cds-services/');
}

/** Sends the OperationOutcome for an error and returns its status. */
export function sendOperationOutcome(
  reply: FastifyReply,
  error: OperationOutcomeError | DomainError,
  requestId: string,
): number {
  const { status, outcome } = outcomeOf(error, requestId);
  if (status === 401) {
    void reply.header('www-authenticate', 'Bearer realm="cds-hooks"');
  }
  void reply
    .status(status)
    .header('content-type', 'application/fhir+json; charset=utf-8')
    .send(JSON.stringify(outcome));
  return status;
}

/** CDS Hooks answers its errors as OperationOutcome; registered with the problem filter by the CDS Hooks module. */
export const cdsHooksErrorFormat: ErrorFormat<OperationOutcomeError> = {
  handles: isCdsHooksPath,
  ownError: (exception): exception is OperationOutcomeError => exception instanceof OperationOutcomeError,
  send: sendOperationOutcome,
};
