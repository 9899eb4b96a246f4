import { z } from 'zod';

/** Stable, machine-readable error codes; clients branch on these, never on the wording. */
/** Seconds a client answered 503 is asked to wait: long enough for a queue to drain, short for a clinician. */
export const RETRY_AFTER_SECONDS = 2;

export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedJson = 'MALFORMED_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UriTooLong = 'URI_TOO_LONG',
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  BadRequest = 'BAD_REQUEST',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyInFlight = 'IDEMPOTENCY_IN_FLIGHT',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  RuleNotFound = 'RULE_NOT_FOUND',
  ScreeningNotFound = 'SCREENING_NOT_FOUND',
  Contraindicated = 'CONTRAINDICATED',
  ScreeningIncomplete = 'SCREENING_INCOMPLETE',
  ReferralRequired = 'REFERRAL_REQUIRED',
  PlanNotPossible = 'PLAN_NOT_POSSIBLE',
  LopRequired = 'LOP_REQUIRED',
  EnvelopeBreach = 'ENVELOPE_BREACH',
  PrescriptionNotFound = 'PRESCRIPTION_NOT_FOUND',
  PrescriptionStateConflict = 'PRESCRIPTION_STATE_CONFLICT',
  AcknowledgementRequired = 'ACKNOWLEDGEMENT_REQUIRED',
  TraceNotReproducible = 'TRACE_NOT_REPRODUCIBLE',
  DeviceNotFound = 'DEVICE_NOT_FOUND',
  DeviceOffline = 'DEVICE_OFFLINE',
  DeviceBusy = 'DEVICE_BUSY',
  DeviceNoAck = 'DEVICE_NO_ACK',
  DeviceRejected = 'DEVICE_REJECTED',
  ProgramRefused = 'PROGRAM_REFUSED',
  DeviceSessionNotFound = 'DEVICE_SESSION_NOT_FOUND',
  DeviceSessionStateConflict = 'DEVICE_SESSION_STATE_CONFLICT',
  LopNotFound = 'LOP_NOT_FOUND',
  ProblemTypeNotFound = 'PROBLEM_TYPE_NOT_FOUND',
  RulesetInvalid = 'RULESET_INVALID',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}

interface ProblemType {
  status: number;
  title: string;
  /** What the problem means and what the caller can do about it. */
  description: string;
}

export const PROBLEM_TYPES: Record<ErrorCode, ProblemType> = {
  [ErrorCode.ValidationFailed]: {
    status: 400,
    title: 'The request has invalid fields',
    description:
      'One or more fields are missing, of the wrong type, out of range or not known. `errors[]` names each field and the reason; correct them and send the request again.',
  },
  [ErrorCode.MalformedJson]: {
    status: 400,
    title: 'The request body is not valid JSON',
    description: 'The body could not be parsed as JSON. Check for truncation, trailing commas or an empty body.',
  },
  [ErrorCode.UnsupportedMediaType]: {
    status: 415,
    title: 'The request body has an unsupported content type',
    description: 'Request bodies must be sent as `application/json`.',
  },
  [ErrorCode.PayloadTooLarge]: {
    status: 413,
    title: 'The request body is too large',
    description: 'The body exceeds the configured limit (`BODY_LIMIT_BYTES`).',
  },
  [ErrorCode.UriTooLong]: {
    status: 414,
    title: 'The request path is too long',
    description: 'A path parameter is longer than any identifier the service uses (100 characters). Check the URL.',
  },
  [ErrorCode.HeadersTooLarge]: {
    status: 431,
    title: 'The request headers are too large',
    description: "The request's headers exceed the server's limit. Send fewer or shorter headers.",
  },
  [ErrorCode.BadRequest]: {
    status: 400,
    title: 'The request was refused',
    description: 'The request could not be processed as sent; `detail` says why.',
  },
  [ErrorCode.Unauthenticated]: {
    status: 401,
    title: 'Authentication required',
    description:
      'The request carries no bearer token, or one that is expired, not signed by the configured issuer, or meant for another audience. Send `Authorization: Bearer <token>`.',
  },
  [ErrorCode.Forbidden]: {
    status: 403,
    title: 'Not allowed',
    description:
      "The caller's roles do not allow this action. A record of another organization answers 404, as an unknown one does.",
  },
  [ErrorCode.TooManyRequests]: {
    status: 429,
    title: 'Too many requests',
    description: 'The caller sent more requests than the rate limit allows. Wait for the time given in `Retry-After`.',
  },
  [ErrorCode.IdempotencyKeyReused]: {
    status: 422,
    title: 'Idempotency-Key used for a different request',
    description:
      'The key was already used with another body or on another endpoint. Use a new key for a new request; resend the original body to get the original answer.',
  },
  [ErrorCode.IdempotencyInFlight]: {
    status: 409,
    title: 'The request with this Idempotency-Key is still being processed',
    description: 'Wait for the first request to finish, then retry with the same key to get its answer.',
  },
  [ErrorCode.RouteNotFound]: {
    status: 404,
    title: 'No such endpoint',
    description: 'No endpoint answers this method and path. The API is described at `/docs`.',
  },
  [ErrorCode.RuleNotFound]: {
    status: 404,
    title: 'No such rule',
    description: 'The rule id is not in the ruleset the service runs. `GET /v1/rules` lists every rule.',
  },
  [ErrorCode.ScreeningNotFound]: {
    status: 404,
    title: 'No such screening',
    description: 'No screening has this id.',
  },
  [ErrorCode.Contraindicated]: {
    status: 422,
    title: 'BFR is contraindicated for this patient',
    description:
      'The screening found a contraindication, so no plan is made. `screening` holds the verdict and every finding with its rule and evidence.',
  },
  [ErrorCode.ScreeningIncomplete]: {
    status: 422,
    title: 'The screening is incomplete',
    description:
      'Information the screening needs is missing or unknown; unknown is never read as no. `screening.missing` names each item; supply them and ask again.',
  },
  [ErrorCode.ReferralRequired]: {
    status: 422,
    title: 'A medical clearance is needed first',
    description:
      "A finding needs a physician's clearance before BFR. `detail` names each such finding in words and by rule id, and `screening` lists them. Record a clearance in `clearances` that names each of those rule ids (with who, when and a note) and ask again; a clearance that does not name a finding leaves it in place.",
  },
  [ErrorCode.PlanNotPossible]: {
    status: 422,
    title: 'No plan can be made for this request',
    description:
      'The rules give no BFR plan for this indication and phase as asked (for example, BFR waits in this phase, or none of the chosen exercises can be done). `detail` says why.',
  },
  [ErrorCode.LopRequired]: {
    status: 422,
    title: 'A limb occlusion pressure must be measured',
    description:
      'The plan needs an LOP for a cuff site and none is usable: none was measured, it was measured with another cuff, or the rules do not allow an estimate here. `lopFindings` names each site and rule; measure the LOP and ask again.',
  },
  [ErrorCode.EnvelopeBreach]: {
    status: 422,
    title: 'The plan would breach the safety envelope',
    description:
      'A dose exceeds a hard safety limit, so the plan is refused rather than clamped. `breaches` names each value, its limit and the rules that produced it. A set point above the ceiling at a permitted %LOP comes from a very high LOP: use a wider cuff or re-measure the LOP. Any other breach means the rules need correcting.',
  },
  [ErrorCode.PrescriptionNotFound]: {
    status: 404,
    title: 'No such prescription',
    description: 'No prescription has this id.',
  },
  [ErrorCode.PrescriptionStateConflict]: {
    status: 409,
    title: 'The prescription is not in a state that allows this',
    description:
      'Only a draft can be approved; approved plans are immutable (make a revision); a cancelled or superseded plan cannot change; only the latest version of a plan can be revised.',
  },
  [ErrorCode.AcknowledgementRequired]: {
    status: 422,
    title: 'Every caution must be acknowledged',
    description:
      'Approval needs an acknowledgement for each caution of the plan, by id. `missing` lists the cautions not acknowledged; `unknown` any id that is not a caution of this plan.',
  },
  [ErrorCode.TraceNotReproducible]: {
    status: 409,
    title: 'The rule trace of this plan cannot be made again',
    description:
      "A plan's trace is not stored: it is made again from the plan's request, day and ruleset version and answered only when it is the one made with the plan (the same sha256). It is not when the service's code or a stored field has changed what that gives. The plan itself is unchanged; its rules are listed under `basis` of each value.",
  },
  [ErrorCode.DeviceNotFound]: {
    status: 404,
    title: 'No such cuff',
    description: 'No cuff with this id is known to the service. `GET /v1/devices` lists the cuffs it can reach.',
  },
  [ErrorCode.DeviceOffline]: {
    status: 409,
    title: 'The cuff is offline',
    description:
      'The cuff cannot be reached now (switched off, out of range, or its gateway is down), so nothing was sent: commands are never queued for an offline cuff. Check the cuff and its gateway, then try again.',
  },
  [ErrorCode.DeviceBusy]: {
    status: 409,
    title: 'The cuff is in use',
    description:
      'The cuff is running another session or measurement. Finish or deflate that one first; `detail` names it.',
  },
  [ErrorCode.DeviceNoAck]: {
    status: 504,
    title: 'The cuff did not answer',
    description:
      'The cuff did not acknowledge the command within 2 seconds, so the service does not assume it was carried out. The service has told the cuff to deflate. Check that the cuff is deflated (deflate it by hand if not) before trying again.',
  },
  [ErrorCode.DeviceRejected]: {
    status: 409,
    title: 'The cuff refused the command',
    description:
      "The cuff answered but did not carry out the command (for example it was in the wrong state, or its own safety limits refused the program). `ack` holds the cuff's answer and state.",
  },
  [ErrorCode.ProgramRefused]: {
    status: 422,
    title: 'The cuff program breaks a safety limit',
    description:
      'The program made from the plan breaks a cuff safety limit (SR-1 to SR-8) or the prescription safety envelope, or cannot be made from the plan as the cuffs are bound. It was refused before anything was sent to the cuff. `breaches` names every limit and value.',
  },
  [ErrorCode.DeviceSessionNotFound]: {
    status: 404,
    title: 'No such device session',
    description: 'No device session has this id.',
  },
  [ErrorCode.DeviceSessionStateConflict]: {
    status: 409,
    title: 'The device session is not in a state that allows this',
    description:
      'The command does not fit the session now: for example a finished session cannot be started again, and only a running session can be paused. `detail` gives the session state.',
  },
  [ErrorCode.LopNotFound]: {
    status: 422,
    title: 'The cuff found no limb occlusion pressure',
    description:
      'The cuff did not find the pressure at which the pulse disappears below its search ceiling (280 mmHg), or could not measure it. Nothing was stored. Try a wider cuff or another position, or measure the LOP with Doppler.',
  },
  [ErrorCode.ProblemTypeNotFound]: {
    status: 404,
    title: 'No such problem type',
    description: 'The problem type is not one that this service reports.',
  },
  [ErrorCode.RulesetInvalid]: {
    status: 500,
    title: 'The clinical ruleset is invalid',
    description:
      'A rule file failed validation. The service does not run on an invalid ruleset; `npm run rules:check` names the file, rule and field.',
  },
  [ErrorCode.ServiceUnavailable]: {
    status: 503,
    title: 'The service is not ready',
    description: 'A dependency (database, rules) is not available. Try again later.',
  },
  [ErrorCode.InternalError]: {
    status: 500,
    title: 'Unexpected error',
    description:
      'The service failed in a way it did not foresee. Nothing was changed by the failed request; quote the request id when reporting it.',
  },
};

export function problemSlug(code: ErrorCode): string {
  return code.toLowerCase().replaceAll('_', '-');
}

export function problemCodeForSlug(slug: string): ErrorCode | undefined {
  return Object.values(ErrorCode).find((code) => problemSlug(code) === slug);
}

export const FieldError = z
  .object({
    in: z.enum(['body', 'query', 'path', 'header']).describe('Which part of the request holds the field.'),
    field: z
      .string()
      .describe(
        'Dotted path of the offending field (e.g. `patient.birthDate`, `limbs.0.lop.mmHg`); empty for the whole part.',
      ),
    pointer: z.string().describe('The same location as an RFC 6901 JSON Pointer (e.g. `/patient/birthDate`).'),
    detail: z.string().describe('Why the value was refused, in plain words.'),
  })
  .meta({ id: 'FieldError', description: 'One refused field of a request.' });
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z
  .object({
    type: z.string().describe('URI of the problem type; it resolves to a description of the problem.'),
    title: z.string().describe('Short summary of the problem type.'),
    status: z.number().int().describe('HTTP status code.'),
    detail: z.string().describe('What went wrong with this request, written for a clinician or integrator.'),
    instance: z.string().describe('URI of this occurrence: the request path.'),
    code: z.enum(ErrorCode).describe('Stable machine-readable error code.'),
    requestId: z
      .string()
      .optional()
      .describe('Id of the request, also sent as the `x-request-id` header; quote it when reporting a problem.'),
    errors: z.array(FieldError).optional().describe('For validation failures: every refused field with the reason.'),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem document (`application/problem+json`).',
  });
export type Problem = z.infer<typeof Problem>;

/**
 * A failure the service understands. `detail` is written for the person reading the response;
 * `cause` keeps the original error for the log.
 */
export class DomainError extends Error {
  /** Members added to the problem document, e.g. the screening that refused a plan. */
  readonly extensions?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    options?: { cause?: unknown; extensions?: Record<string, unknown> },
  ) {
    super(detail, { cause: options?.cause });
    this.extensions = options?.extensions;
    this.name = 'DomainError';
  }

  get status(): number {
    return PROBLEM_TYPES[this.code].status;
  }
}
