import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const sut = loadConfig({});
    expect(sut.port).toBe(3000);
    expect(sut.database).toEqual({ kind: 'sqlite', file: expect.stringMatching(/data[\\/]bfr-rx\.sqlite$/) });
    expect(sut.publicBaseUrl).toBe('http://localhost:3000');
    expect(sut.logLevel).toBe('info');
  });

  it('selects PostgreSQL for a postgres:// URL', () => {
    const sut = loadConfig({ DATABASE_URL: 'postgres://bfr@127.0.0.1:5432/test' });
    expect(sut.database).toEqual({ kind: 'postgres', url: 'postgres://bfr@127.0.0.1:5432/test' });
  });

  it('drops a trailing slash from the public base URL', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://bfr.clinic.example/' }).publicBaseUrl).toBe(
      'https://bfr.clinic.example',
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('names every invalid variable and the problem with it', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('"eighty"');
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toContain('must start with "sqlite:"');
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toContain('"loud"');
  });

  it('refuses a body limit below 1 KiB', () => {
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '10' })).toThrow(/BODY_LIMIT_BYTES/);
  });
});

describe('loadConfig: authentication and abuse limits', () => {
  it('uses the development issuer unless a JWKS URL is given', () => {
    expect(loadConfig({}).auth).toMatchObject({ mode: 'development', issuer: 'urn:bfr-rx:development-issuer', audience: 'bfr-rx' });
    expect(loadConfig({ AUTH_JWKS_URL: 'https://id.clinic.example/jwks', AUTH_ISSUER: 'https://id.clinic.example' }).auth).toMatchObject({
      mode: 'oidc',
      jwksUrl: 'https://id.clinic.example/jwks',
      issuer: 'https://id.clinic.example',
    });
  });

  it('needs the issuer when a JWKS URL is given', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://id.clinic.example/jwks' })).toThrow(/AUTH_ISSUER: is required when AUTH_JWKS_URL is set/);
  });

  it('reads the CORS allow-list and refuses an entry that is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example/' }).corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example,*' })).toThrow(/CORS_ORIGINS: must be a comma-separated list/);
  });
});

describe('loadConfig: CDS Hooks', () => {
  const client = { issuer: 'https://ehr.clinic.example', jwksUrl: 'https://ehr.clinic.example/jwks.json', jku: ['https://ehr.clinic.example/jwks.json'] };

  it('trusts no EHR, allows no browser origin and waits 1 s for FHIR reads by default', () => {
    expect(loadConfig({}).cdsHooks).toEqual({ clients: [], corsOrigins: [], fhirTimeoutMs: 1000 });
  });

  it('reads the trusted EHRs with their key sources and jku allow-list', () => {
    const local = { issuer: 'urn:ehr:test', jwks: { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-384', x: 'x', y: 'y' }] } };
    expect(loadConfig({ CDS_CLIENTS: JSON.stringify([client, local]) }).cdsHooks.clients).toEqual([
      { ...client, fhirServers: [] },
      { ...local, jku: [], fhirServers: [] },
    ]);
  });

  it("reads an EHR's organization and the FHIR servers its tokens may be sent to, https only", () => {
    const configured = { ...client, tenant: 'clinic-north', fhirServers: ['https://ehr.clinic.example/fhir/r4/', 'http://127.0.0.1:8080/fhir'] };
    expect(loadConfig({ CDS_CLIENTS: JSON.stringify([configured]) }).cdsHooks.clients).toEqual([
      { ...configured, fhirServers: ['https://ehr.clinic.example/fhir/r4', 'http://127.0.0.1:8080/fhir'] },
    ]);
    expect(() => loadConfig({ CDS_CLIENTS: JSON.stringify([{ ...client, fhirServers: ['http://ehr.clinic.example/fhir'] }]) })).toThrow(
      /CDS_CLIENTS: must be an https URL \(http only for localhost\) \(at 0\.fhirServers\.0\)/,
    );
  });

  it('refuses an EHR without keys, a private key, a plain-http key set elsewhere than localhost, and the same issuer twice', () => {
    const problems = (clients: unknown) => {
      try {
        loadConfig({ CDS_CLIENTS: JSON.stringify(clients) });
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(problems([{ issuer: 'x' }])).toContain('CDS_CLIENTS: needs jwksUrl, jwks or jku: where its keys are (at 0)');
    expect(problems([{ issuer: 'x', jwks: { keys: [{ kty: 'EC', kid: 'k', d: 'secret' }] } }])).toContain('is a private key');
    expect(problems([{ issuer: 'x', jku: ['http://ehr.example/jwks'] }])).toContain('CDS_CLIENTS: must be an https URL (http only for localhost) (at 0.jku.0)');
    expect(problems([{ issuer: 'x', jku: ['http://127.0.0.1:8080/jwks'] }])).toBe('');
    expect(problems([client, client])).toContain('lists the same issuer twice');
    expect(() => loadConfig({ CDS_CLIENTS: '[{' })).toThrow(/CDS_CLIENTS: is not valid JSON/);
  });

  it('allows every origin with "*", or the origins listed', () => {
    expect(loadConfig({ CDS_CORS_ORIGINS: '*' }).cdsHooks.corsOrigins).toBe('*');
    expect(loadConfig({ CDS_CORS_ORIGINS: 'https://ehr.example/, https://sandbox.example' }).cdsHooks.corsOrigins).toEqual(['https://ehr.example', 'https://sandbox.example']);
    expect(() => loadConfig({ CDS_CORS_ORIGINS: 'https://ehr.example,*' })).toThrow(/CDS_CORS_ORIGINS: must be "\*" or a comma-separated list/);
  });
});

describe('cuff configuration', () => {
  it('runs two simulated cuffs in process by default', () => {
    expect(loadConfig({}).cuffs).toEqual({
      transport: 'simulator',
      simulatedDevices: 2,
      simulatedLopMmHg: null,
      mqtt: { url: null, site: 'clinic', embeddedBroker: { host: '127.0.0.1', port: 1883 } },
    });
  });

  it('reads the simulated patient’s LOPs and refuses what it cannot read', () => {
    expect(loadConfig({ CUFF_SIM_LOP_MMHG: '150, 230' }).cuffs.simulatedLopMmHg).toEqual({ A: 150, B: 230 });
    expect(() => loadConfig({ CUFF_SIM_LOP_MMHG: '150' })).toThrow('CUFF_SIM_LOP_MMHG: must be two LOPs in mmHg, channel A then B, e.g. 180,200');
    expect(() => loadConfig({ CUFF_TRANSPORT: 'bluetooth' })).toThrow('CUFF_TRANSPORT');
    expect(() => loadConfig({ MQTT_SITE: 'clinic/north' })).toThrow('MQTT_SITE');
  });
});
