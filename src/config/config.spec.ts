import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

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
    expect(loadConfig({}).auth).toMatchObject({
      mode: 'development',
      issuer: 'urn:bfr-rx:development-issuer',
      audience: 'bfr-rx',
    });
    expect(
      loadConfig({ AUTH_JWKS_URL: 'https://id.clinic.example/jwks', AUTH_ISSUER: 'https://id.clinic.example' }).auth,
    ).toMatchObject({
      mode: 'oidc',
      jwksUrl: 'https://id.clinic.example/jwks',
      issuer: 'https://id.clinic.example',
    });
  });

  it('needs the issuer when a JWKS URL is given', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://id.clinic.example/jwks' })).toThrow(
      /AUTH_ISSUER: is required when AUTH_JWKS_URL is set/,
    );
  });

  it('reads the CORS allow-list and refuses an entry that is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example/' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example,*' })).toThrow(
      /CORS_ORIGINS: must be a comma-separated list/,
    );
  });
});

describe('loadConfig: CDS Hooks', () => {
  const client = {
    issuer: 'https://ehr.clinic.example',
    jwksUrl: 'https://ehr.clinic.example/jwks.json',
    jku: ['https://ehr.clinic.example/jwks.json'],
  };

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
    const configured = {
      ...client,
      tenant: 'clinic-north',
      fhirServers: ['https://ehr.clinic.example/fhir/r4/', 'http://127.0.0.1:8080/fhir'],
    };
    expect(loadConfig({ CDS_CLIENTS: JSON.stringify([configured]) }).cdsHooks.clients).toEqual([
      { ...configured, fhirServers: ['https://ehr.clinic.example/fhir/r4', 'http://127.0.0.1:8080/fhir'] },
    ]);
    expect(() =>
      loadConfig({ CDS_CLIENTS: JSON.stringify([{ ...client, fhirServers: ['http://ehr.clinic.example/fhir'] }]) }),
    ).toThrow(/CDS_CLIENTS: must be an https URL \(http only for localhost\) \(entry 1, field fhirServers\.0\)/);
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
    expect(problems([{ issuer: 'x' }])).toContain(
      'CDS_CLIENTS: needs jwksUrl, jwks or jku: where its keys are (entry 1)',
    );
    const privateKey = problems([{ issuer: 'x', jwks: { keys: [{ kty: 'EC', kid: 'k', d: 'secret-scalar' }] } }]);
    expect(privateKey).toContain(
      'CDS_CLIENTS: is a private key; configure the public key only (entry 1, field jwks.keys.0) (value not shown)',
    );
    expect(privateKey).not.toContain('secret-scalar');
    expect(problems([{ issuer: 'x', jku: ['http://ehr.example/jwks'] }])).toContain(
      'CDS_CLIENTS: must be an https URL (http only for localhost) (entry 1, field jku.0)',
    );
    expect(problems([{ issuer: 'x', jku: ['http://127.0.0.1:8080/jwks'] }])).toBe('');
    expect(problems([client, client])).toContain('lists the same issuer twice');
    expect(() => loadConfig({ CDS_CLIENTS: '[{' })).toThrow(/CDS_CLIENTS: is not valid JSON/);
  });

  it('allows every origin with "*", or the origins listed', () => {
    expect(loadConfig({ CDS_CORS_ORIGINS: '*' }).cdsHooks.corsOrigins).toBe('*');
    expect(
      loadConfig({ CDS_CORS_ORIGINS: 'https://ehr.example/, https://sandbox.example' }).cdsHooks.corsOrigins,
    ).toEqual(['https://ehr.example', 'https://sandbox.example']);
    expect(() => loadConfig({ CDS_CORS_ORIGINS: 'https://ehr.example,*' })).toThrow(
      /CDS_CORS_ORIGINS: must be "\*" or a comma-separated list/,
    );
  });
});

describe('loadConfig: production mode', () => {
  it('refuses the development issuer in production unless explicitly opted in, and turns the API documents off', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_JWKS_URL: is required in production/);
    const optedIn = loadConfig({
      NODE_ENV: 'production',
      AUTH_DEV_ISSUER_IN_PRODUCTION: 'yes-anyone-with-the-key-file-can-sign-in',
    });
    expect(optedIn).toMatchObject({
      production: true,
      apiDocs: 'off',
      auth: { mode: 'development', inProduction: true },
    });
    expect(loadConfig({})).toMatchObject({
      production: false,
      apiDocs: 'public',
      auth: { mode: 'development', inProduction: false },
    });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: 'https://id.example/jwks',
        AUTH_ISSUER: 'https://id.example',
        API_DOCS: 'authenticated',
      }).apiDocs,
    ).toBe('authenticated');
  });
});

describe('cuff configuration', () => {
  it('assigns cuffs and gateways to organizations, refusing what it cannot read', () => {
    const { organizations } = loadConfig({
      CUFF_ORGANIZATIONS: 'cuff-1:clinic-north, cuff-2:clinic-south',
      MQTT_GATEWAY_ORGANIZATIONS: 'gw-1:clinic-east',
    }).cuffs;
    expect(organizations).toEqual({
      cuffs: new Map([
        ['cuff-1', 'clinic-north'],
        ['cuff-2', 'clinic-south'],
      ]),
      gateways: new Map([['gw-1', 'clinic-east']]),
      simulated: 'clinic-north',
    });
    expect(() => loadConfig({ CUFF_ORGANIZATIONS: 'cuff-1' })).toThrow(
      'CUFF_ORGANIZATIONS: entry 1: cuff cuff-1 needs an organization',
    );
    expect(() => loadConfig({ MQTT_GATEWAY_ORGANIZATIONS: 'gw-1:a,gw-1:b' })).toThrow('gateway gw-1 is listed twice');
  });

  it('runs two simulated cuffs in process by default', () => {
    expect(loadConfig({}).cuffs).toEqual({
      transport: 'simulator',
      organizations: { cuffs: new Map(), gateways: new Map(), simulated: 'clinic-north' },
      simulatedDevices: 2,
      simulatedLopMmHg: null,
      mqtt: {
        url: null,
        site: 'clinic',
        embeddedBroker: { host: '127.0.0.1', port: 1883 },
        credentials: null,
        tls: { caFile: null, certFile: null, keyFile: null },
        gateways: null,
        brokerTls: null,
      },
    });
  });

  it('reads the simulated patient’s LOPs and refuses what it cannot read', () => {
    expect(loadConfig({ CUFF_SIM_LOP_MMHG: '150, 230' }).cuffs.simulatedLopMmHg).toEqual({ A: 150, B: 230 });
    expect(() => loadConfig({ CUFF_SIM_LOP_MMHG: '150' })).toThrow(
      'CUFF_SIM_LOP_MMHG: must be two LOPs in mmHg, channel A then B, e.g. 180,200',
    );
    expect(() => loadConfig({ CUFF_TRANSPORT: 'bluetooth' })).toThrow('CUFF_TRANSPORT');
    expect(() => loadConfig({ MQTT_SITE: 'clinic/north' })).toThrow('MQTT_SITE');
  });
});

describe('MQTT security configuration', () => {
  const SECRET_1 = 'correct-horse-battery-1';
  const SECRET_2 = 'correct-horse-battery-2';
  let dir: string;
  let pem: { cert: string; key: string; text: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bfr-rx-config-'));
    pem = { cert: join(dir, 'broker.crt'), key: join(dir, 'broker.key'), text: join(dir, 'notes.txt') };
    // Start-up checks that the files can be read and are PEM of the right kind; TLS itself is tested with real certificates.
    writeFileSync(pem.cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(pem.key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    writeFileSync(pem.text, 'not a certificate\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as ConfigError).problems;
    }
    return [];
  };

  it('reads the gateways’ secrets, and a configuration dumped by mistake shows none of them', () => {
    const config = loadConfig({
      CUFF_TRANSPORT: 'mqtt',
      MQTT_GATEWAY_CREDENTIALS: `gw-1:${SECRET_1}, gw-2:${SECRET_2}`,
    });
    const gateways = config.cuffs.mqtt.gateways;

    expect([...(gateways?.keys() ?? [])]).toEqual(['gw-1', 'gw-2']);
    expect(gateways?.get('gw-2')?.reveal()).toBe(SECRET_2);
    expect(JSON.stringify(config)).not.toContain('correct-horse');
    expect(inspect(config, { depth: 10 })).not.toContain('correct-horse');
    expect(`${gateways?.get('gw-1')}`).toBe('[secret]');
  });

  it('refuses a gateway list it cannot trust, and never repeats a secret in the message', () => {
    const cases: Array<[string, RegExp]> = [
      ['gw-1:short', /entry 1: the secret of gateway gw-1 must be at least 16 printable characters/],
      [`gw-1:${SECRET_1},gw-1:${SECRET_2}`, /entry 2: gateway gw-1 is listed twice/],
      [`bfr-rx:${SECRET_1}`, /entry 1: bfr-rx is the service's own user name/],
      [`gw/1:${SECRET_1}`, /entry 1: the gateway id must be/],
      [`gw-1 ${SECRET_1}`, /entry 1: the gateway id must be/],
      [' , ', /names no gateway/],
    ];
    for (const [value, message] of cases) {
      const problems = problemsOf({ MQTT_GATEWAY_CREDENTIALS: value });
      expect(problems).toEqual([expect.stringMatching(message)]);
      expect(problems[0]).toContain('(value not shown)');
      expect(problems[0]).not.toMatch(/correct-horse|short/);
    }
  });

  it('takes the service’s broker account with MQTT_URL only, user name and password together, and never shows the password', () => {
    expect(
      loadConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_USERNAME: 'bfr-rx', MQTT_PASSWORD: SECRET_1 }).cuffs.mqtt
        .credentials,
    ).toEqual({
      username: 'bfr-rx',
      password: expect.objectContaining({ reveal: expect.any(Function) }),
    });
    expect(problemsOf({ MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_PASSWORD: SECRET_1 })).toEqual([
      'MQTT_USERNAME: is required with MQTT_PASSWORD (got undefined)',
    ]);
    expect(problemsOf({ MQTT_USERNAME: 'bfr-rx', MQTT_PASSWORD: SECRET_1 })).toEqual([
      expect.stringMatching(/^MQTT_USERNAME: is for the broker at MQTT_URL/),
    ]);
    const inUrl = problemsOf({ MQTT_URL: `mqtt://bfr-rx:${SECRET_1}@127.0.0.1:1883` });
    expect(inUrl).toEqual([
      expect.stringMatching(/^MQTT_URL: must not hold credentials: give them in MQTT_USERNAME and MQTT_PASSWORD/),
    ]);
    expect(inUrl[0]).not.toContain('correct-horse');
  });

  it('demands TLS and a login for a broker on another machine, and for an embedded broker listening beyond loopback', () => {
    expect(problemsOf({ CUFF_TRANSPORT: 'mqtt', MQTT_URL: 'mqtt://broker.clinic.example:1883' })).toEqual([
      expect.stringMatching(/^MQTT_URL: must be mqtts:\/\/ \(TLS\) for a broker on another machine/),
      expect.stringMatching(/^MQTT_USERNAME: or MQTT_TLS_CERT is required for a broker on another machine/),
    ]);
    expect(
      problemsOf({
        CUFF_TRANSPORT: 'mqtt',
        MQTT_URL: 'mqtts://broker.clinic.example:8883',
        MQTT_USERNAME: 'bfr-rx',
        MQTT_PASSWORD: SECRET_1,
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        CUFF_TRANSPORT: 'mqtt',
        MQTT_URL: 'mqtts://broker.clinic.example:8883',
        MQTT_TLS_CERT: pem.cert,
        MQTT_TLS_KEY: pem.key,
      }),
    ).toEqual([]);
    expect(problemsOf({ CUFF_TRANSPORT: 'mqtt', MQTT_URL: 'mqtt://[::1]:1883' })).toEqual([]);

    expect(problemsOf({ CUFF_TRANSPORT: 'mqtt', MQTT_BROKER_HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(/^MQTT_GATEWAY_CREDENTIALS: is required when the embedded broker listens beyond loopback/),
      expect.stringMatching(/^MQTT_BROKER_TLS_CERT: is required when the embedded broker listens beyond loopback/),
    ]);
    const secured = loadConfig({
      CUFF_TRANSPORT: 'mqtt',
      MQTT_BROKER_HOST: '0.0.0.0',
      MQTT_GATEWAY_CREDENTIALS: `gw-1:${SECRET_1}`,
      MQTT_BROKER_TLS_CERT: pem.cert,
      MQTT_BROKER_TLS_KEY: pem.key,
      MQTT_TLS_CA: pem.cert,
    }).cuffs.mqtt;
    expect(secured.brokerTls).toEqual({ certFile: pem.cert, keyFile: pem.key });
    expect(secured.tls).toEqual({ caFile: pem.cert, certFile: null, keyFile: null });
    // The simulator never starts the broker, so its address does not matter.
    expect(problemsOf({ MQTT_BROKER_HOST: '0.0.0.0' })).toEqual([]);
  });

  it('checks the TLS files at start: readable, PEM of the right kind, in pairs, and for a TLS connection', () => {
    expect(problemsOf({ MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_TLS_CA: join(dir, 'missing.crt') })).toEqual([
      expect.stringMatching(/^MQTT_TLS_CA: cannot be read \(ENOENT\)/),
    ]);
    expect(problemsOf({ MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_TLS_CA: pem.text })).toEqual([
      expect.stringMatching(/^MQTT_TLS_CA: is not a PEM certificate file/),
    ]);
    expect(problemsOf({ MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_TLS_CERT: pem.cert, MQTT_TLS_KEY: pem.cert })).toEqual(
      [expect.stringMatching(/^MQTT_TLS_KEY: is not a PEM private key file \(an unencrypted key is needed\)/)],
    );
    expect(problemsOf({ MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_TLS_CERT: pem.cert })).toEqual([
      expect.stringMatching(/^MQTT_TLS_KEY: is required with MQTT_TLS_CERT/),
    ]);
    expect(problemsOf({ MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TLS_CA: pem.cert })).toEqual([
      expect.stringMatching(/^MQTT_TLS_CA: needs an mqtts:\/\/ MQTT_URL/),
    ]);
    expect(
      problemsOf({ MQTT_URL: 'mqtts://127.0.0.1:8883', MQTT_BROKER_TLS_CERT: pem.cert, MQTT_BROKER_TLS_KEY: pem.key }),
    ).toEqual([expect.stringMatching(/^MQTT_BROKER_TLS_CERT: is for the embedded broker/)]);
    expect(
      loadConfig({
        MQTT_URL: 'mqtts://127.0.0.1:8883',
        MQTT_TLS_CA: pem.cert,
        MQTT_TLS_CERT: pem.cert,
        MQTT_TLS_KEY: pem.key,
      }).cuffs.mqtt.tls,
    ).toEqual({
      caFile: pem.cert,
      certFile: pem.cert,
      keyFile: pem.key,
    });
  });
});
