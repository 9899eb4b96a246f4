import type { Bundle, Resource } from '@medplum/fhirtypes';

/** Pages of one search followed at most; a patient's conditions or orders fit in far fewer. */
const MAX_PAGES = 10;

/** A read the EHR's FHIR server did not answer usefully; the message says what happened. */
export class FhirReadFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FhirReadFailed';
  }
}

const isResource = (value: unknown): value is Resource =>
  typeof value === 'object' && value !== null && typeof (value as { resourceType?: unknown }).resourceType === 'string';

/**
 * Reads from an EHR's FHIR server with the access token the EHR gave for this call, with Node's own
 * fetch: a handful of GETs need no client library, and the abort signal bounds every read and
 * every page by the call's time budget. The token goes only to the server it was issued for: a
 * `next` link elsewhere is not followed.
 */
export class FhirReads {
  private readonly base: string;

  constructor(
    server: string,
    private readonly accessToken: string,
    private readonly signal: AbortSignal,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /** A relative query (`Patient/7`, `Condition?patient=7`): the resource, a Bundle of every page, or null when a read finds nothing. */
  async query(relative: string): Promise<Resource | null> {
    const isRead = !relative.includes('?');
    const first = await this.get(`${this.base}/${relative}`, isRead);
    if (first === null || first.resourceType !== 'Bundle') {
      return first;
    }
    return this.rest(first);
  }

  /** The Bundle with the entries of its further pages appended. */
  async rest(bundle: Bundle): Promise<Bundle> {
    const entries = [...(bundle.entry ?? [])];
    let page: Bundle = bundle;
    for (let pages = 1; pages < MAX_PAGES; pages += 1) {
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (!next) {
        return { ...bundle, entry: entries, link: (bundle.link ?? []).filter((link) => link.relation !== 'next') };
      }
      if (!next.startsWith(`${this.base}/`) && !next.startsWith(`${this.base}?`)) {
        throw new FhirReadFailed(`a next page at another address (${new URL(next).origin}) was not followed`);
      }
      const fetched = await this.get(next, false);
      if (fetched?.resourceType !== 'Bundle') {
        throw new FhirReadFailed('a next page was not a Bundle');
      }
      page = fetched;
      entries.push(...(page.entry ?? []));
    }
    throw new FhirReadFailed(`more than ${MAX_PAGES} pages`);
  }

  private async get(url: string, isRead: boolean): Promise<Resource | null> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.accessToken}`, accept: 'application/fhir+json' },
        signal: this.signal,
        redirect: 'error',
      });
    } catch (error) {
      throw new FhirReadFailed(
        this.signal.aborted ? 'no answer within the time budget' : 'the FHIR server could not be reached',
        { cause: error },
      );
    }
    if (isRead && (response.status === 404 || response.status === 410)) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FhirReadFailed(`the FHIR server answered HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new FhirReadFailed(this.signal.aborted ? 'no answer within the time budget' : 'the answer was not JSON', {
        cause: error,
      });
    }
    if (!isResource(body)) {
      throw new FhirReadFailed('the answer was not a FHIR resource');
    }
    if (body.resourceType === 'OperationOutcome') {
      throw new FhirReadFailed('the FHIR server answered with an OperationOutcome');
    }
    return body;
  }
}
