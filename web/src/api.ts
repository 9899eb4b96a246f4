/** The API on the same origin. The bearer token lives in this module's memory only, never in storage. */
let bearer: string | null = null;
let onExpired: (() => void) | null = null;

export function setToken(token: string | null): void {
  bearer = token;
}

export function hasToken(): boolean {
  return bearer !== null;
}

/** Called when the API answers 401: the app goes back to sign-in. */
export function onSignedOut(handler: () => void): void {
  onExpired = handler;
}

export interface FieldError {
  field: string;
  detail: string;
}

/** An RFC 9457 problem document from the API. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

function headers(json: boolean): Record<string, string> {
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
  };
}

async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401 && onExpired) {
    onExpired();
  }
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    return new ApiError((await response.json()) as Problem);
  }
  return new ApiError({ status: response.status, title: response.statusText || `HTTP ${response.status}` });
}

/** How often a read the service shed under load is tried again, and the longest wait it is given. */
const SHED_RETRIES = 2;
const SHED_WAIT_MAX_S = 5;

/** The seconds to wait before reading again, when the service shed a read under load (503 with Retry-After). */
function shedWait(method: string, response: Response): number | null {
  const retryAfter = response.headers.get('retry-after');
  return method === 'GET' && response.status === 503 && retryAfter !== null && /^\d+$/.test(retryAfter)
    ? Math.min(Number(retryAfter), SHED_WAIT_MAX_S)
    : null;
}

/**
 * Calls the API. A GET the service sheds under load changed nothing, so it is tried again after
 * the Retry-After the service gives (twice at most); a write is never repeated here.
 */
export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (response.ok) {
      return (await response.json()) as T;
    }
    const wait = attempt < SHED_RETRIES ? shedWait(method, response) : null;
    if (wait === null) {
      throw await failure(response);
    }
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** A binary answer (the handout PDF) as a blob. */
export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: headers(false) });
  if (!response.ok) {
    throw await failure(response);
  }
  return response.blob();
}

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** Splits a text/event-stream into events; returns the events complete so far and the rest. */
export function parseEvents(buffer: string): { events: ServerSentEvent[]; rest: string } {
  const events: ServerSentEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * Follows a server-sent event stream with the bearer token (EventSource cannot send headers), by
 * reading the fetch body as it arrives. Ends when the server ends the stream or `signal` aborts.
 */
export async function followEvents(
  path: string,
  onEvent: (event: ServerSentEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(path, { headers: { ...headers(false), accept: 'text/event-stream' }, signal });
  if (!response.ok || !response.body) {
    throw await failure(response);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    parsed.events.forEach(onEvent);
  }
}

/** One line per problem: its detail, then each refused field. */
export function problemLines(error: unknown): string[] {
  if (error instanceof ApiError) {
    const p = error.problem;
    const extra: string[] = [];
    for (const key of ['breaches', 'lopFindings', 'missing', 'unknown'] as const) {
      const list = p[key];
      if (Array.isArray(list)) {
        extra.push(
          ...list.map((item) =>
            typeof item === 'string' ? item : String((item as { message?: string }).message ?? JSON.stringify(item)),
          ),
        );
      }
    }
    return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => `${e.field}: ${e.detail}`), ...extra];
  }
  return [error instanceof Error ? error.message : String(error)];
}
