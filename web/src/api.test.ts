import { afterEach, describe, expect, it, vi } from 'vitest';

import { api, ApiError, parseEvents, problemLines } from './api';
import { base64Url, pkcePair } from './auth';
import { clearanceForRequest } from './clearance';

describe('server-sent events', () => {
  it('splits frames, keeps a partial frame for later and joins multi-line data', () => {
    const { events, rest } = parseEvents(
      'event: telemetry\ndata: {"a":1}\n\n: comment\n\nevent: status\r\ndata: {"status":\r\ndata: "running"}\r\n\r\nevent: alarm\ndata: {"co',
    );
    expect(events).toEqual([
      { event: 'telemetry', data: '{"a":1}' },
      { event: 'status', data: '{"status":\n"running"}' },
    ]);
    expect(rest).toBe('event: alarm\ndata: {"co');
    expect(parseEvents(`${rest}de":"X"}\n\n`).events).toEqual([{ event: 'alarm', data: '{"code":"X"}' }]);
  });
});

describe('a request the service sheds under load', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const answers = (...statuses: Array<[number, string | null]>) => {
    const fetch = vi.fn(async () => {
      const [status, retryAfter] = statuses.shift()!;
      const headers: Record<string, string> = {
        'content-type': status === 200 ? 'application/json' : 'application/problem+json',
        ...(retryAfter === null ? {} : { 'retry-after': retryAfter }),
      };
      return new Response(
        JSON.stringify(
          status === 200 ? { item: [] } : { status, title: 'Service Unavailable', code: 'SERVICE_UNAVAILABLE' },
        ),
        { status, headers },
      );
    });
    vi.stubGlobal('fetch', fetch);
    return fetch;
  };

  it('reads again after the Retry-After it gives, twice at most', async () => {
    const fetch = answers([503, '0'], [503, '0'], [200, null]);
    expect(await api('GET', '/v1/screenings/questionnaire?lang=es')).toEqual({ item: [] });
    expect(fetch).toHaveBeenCalledTimes(3);
    answers([503, '0'], [503, '0'], [503, '0']);
    await expect(api('GET', '/v1/screenings/questionnaire')).rejects.toMatchObject({ problem: { status: 503 } });
  });

  it('never repeats a write, nor a 503 without Retry-After', async () => {
    const post = answers([503, '0'], [200, null]);
    await expect(api('POST', '/v1/screenings', {})).rejects.toMatchObject({ problem: { status: 503 } });
    expect(post).toHaveBeenCalledTimes(1);
    const get = answers([503, null], [200, null]);
    await expect(api('GET', '/v1/devices')).rejects.toMatchObject({ problem: { status: 503 } });
    expect(get).toHaveBeenCalledTimes(1);
  });
});

describe('problems', () => {
  it('lists the detail, each refused field and each breach', () => {
    const error = new ApiError({
      status: 422,
      title: 'Refused',
      detail: 'The program breaks 1 limit.',
      errors: [{ field: 'limbs.0.lop', detail: 'is required' }],
      breaches: [{ requirement: 'SR-3', message: 'LOP is 30 h old' }],
    });
    expect(problemLines(error)).toEqual(['The program breaks 1 limit.', 'limbs.0.lop: is required', 'LOP is 30 h old']);
  });
});

describe('PKCE', () => {
  it('makes an S256 challenge of the verifier (RFC 7636 appendix B)', async () => {
    const bytes = new Uint8Array([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
      91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    const verifier = base64Url(bytes);
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    expect(base64Url(digest)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const pair = await pkcePair();
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.challenge).not.toBe(pair.verifier);
  });
});

describe('clearance', () => {
  it('is sent only when it covers a finding, naming the findings it clears', () => {
    expect(clearanceForRequest({ findings: [], by: 'Dr A', on: '2026-11-01', note: 'ok' })).toBeUndefined();
    expect(
      clearanceForRequest({ findings: ['refer.bp-160-179'], by: ' Dr A ', on: '2026-11-01', note: ' cleared ' }),
    ).toEqual([{ findings: ['refer.bp-160-179'], by: 'Dr A', on: '2026-11-01', note: 'cleared' }]);
  });
});
