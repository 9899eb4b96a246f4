import type { Bundle, Resource } from '@medplum/fhirtypes';

import type { CdsHookRequest } from './cds-hooks.schema';
import type { PrefetchKey } from './cds-services';
import { FhirReadFailed, FhirReads } from './fhir-reads';

/** What the screening could read about the patient, and what it could not, with the reason. */
export interface GatheredRecord {
  resources: Resource[];
  /** Data the EHR neither prefetched nor let the service read, or that failed to arrive. */
  unavailable: Array<{ key: PrefetchKey; reason: string }>;
}

/** What each prefetch key holds, for cards that say what was not checked. */
export const PREFETCH_CONTENT: Record<PrefetchKey, string> = {
  patient: 'the Patient (date of birth, sex)',
  conditions: 'the problem list (Conditions)',
  bloodPressure: 'the latest blood pressure',
  bodyWeight: 'the latest body weight',
  bodyHeight: 'the latest body height',
  medications: 'active medication orders',
  procedures: 'procedures (recent surgery)',
  screeningAnswers: "the clinician's screening questionnaire answers",
  lop: 'measured limb occlusion pressures',
  limbCircumference: 'limb circumferences',
};

/** A template with its tokens replaced by the call's context (root-level fields only, as CDS Hooks 2.0 allows). */
export function expandTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{\s*context\.([A-Za-z]+)\s*\}\}/g, (_token, name: string) => {
    const value = context[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`prefetch template needs context.${name}`);
    }
    return encodeURIComponent(String(value));
  });
}

const isOutcome = (value: unknown) => (value as { resourceType?: unknown } | null)?.resourceType === 'OperationOutcome';
const nextLinkOf = (value: Resource) =>
  value.resourceType === 'Bundle' && (value.link ?? []).some((link) => link.relation === 'next');

/** A FHIR base URL as configured: scheme and host in lower case, no trailing slash. */
function sameServer(a: string, b: string): boolean {
  const base = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  };
  return URL.canParse(a) && URL.canParse(b) && base(a) === base(b);
}

/** Where the record may be read from: the EHR's FHIR servers, and the time budget for all reads of one call. */
export interface FhirAccess {
  /** The FHIR base URLs configured for the calling EHR; a `fhirServer` elsewhere is never called. */
  servers: readonly string[];
  budgetMs: number;
}

/** Why nothing can be read from the EHR's FHIR server, or undefined when it can be. */
function noAccess(request: CdsHookRequest, servers: readonly string[]): string | undefined {
  if (!request.fhirServer || !request.fhirAuthorization) {
    return 'no FHIR access was given';
  }
  if (!servers.some((server) => sameServer(server, request.fhirServer!))) {
    // The token would go to a server the EHR's configuration does not name: refused before any request.
    return `the fhirServer ${request.fhirServer} is not one of the FHIR servers configured for this EHR, so it was not read and the token was not sent`;
  }
  return undefined;
}

/**
 * The patient's data for the screening: what the EHR prefetched, and what it left out read from its
 * FHIR server with the call's token, all reads in parallel and within one time budget. A key sent
 * as null means no data; a key left out, or sent as an OperationOutcome (the EHR's own fetch
 * failed), is read here when the EHR gave FHIR access to a server configured for it, and reported
 * unavailable otherwise.
 */
export async function gatherRecord(
  request: CdsHookRequest,
  templates: Partial<Record<PrefetchKey, string>>,
  fhir: FhirAccess,
): Promise<GatheredRecord> {
  const refused = noAccess(request, fhir.servers);
  const access =
    refused === undefined
      ? new FhirReads(request.fhirServer!, request.fhirAuthorization!.access_token, AbortSignal.timeout(fhir.budgetMs))
      : undefined;
  const keys = Object.keys(templates) as PrefetchKey[];
  const results = await Promise.all(
    keys.map(async (key): Promise<{ key: PrefetchKey; resource?: Resource | null; reason?: string }> => {
      const prefetched = request.prefetch?.[key];
      const given = prefetched !== undefined && !isOutcome(prefetched);
      if (given && (prefetched === null || !nextLinkOf(prefetched as unknown as Resource))) {
        return { key, resource: prefetched as unknown as Resource | null };
      }
      if (!access) {
        const why =
          prefetched === undefined
            ? 'not prefetched'
            : isOutcome(prefetched)
              ? "the EHR's prefetch failed"
              : 'only the first page was prefetched';
        return { key, reason: `${why}, and ${refused}` };
      }
      try {
        return {
          key,
          resource: given
            ? await access.rest(prefetched as unknown as Bundle)
            : await access.query(expandTemplate(templates[key]!, request.context)),
        };
      } catch (error) {
        if (error instanceof FhirReadFailed) {
          return { key, reason: `reading it from the EHR failed: ${error.message}` };
        }
        throw error;
      }
    }),
  );
  return {
    resources: results.flatMap((r) => (r.resource ? [r.resource] : [])),
    unavailable: results.flatMap((r) => (r.reason !== undefined ? [{ key: r.key, reason: r.reason }] : [])),
  };
}
