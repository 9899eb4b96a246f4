import { z } from 'zod';

import { DEVELOPMENT_ORGANIZATION } from './auth';
import { Secret } from './secret';
import { isLoopback, pemFile, type Problem } from './values';

/** The service's user name at the embedded MQTT broker; no gateway may be called so. */
export const SERVICE_USERNAME = 'bfr-rx';

const GATEWAY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MIN_GATEWAY_SECRET = 16;

/** `gw-1:secret,gw-2:secret`: the gateways' ids and secrets. The messages never repeat a secret. */
const gatewayCredentials = z.string().transform((value, ctx) => {
  const gateways = new Map<string, Secret>();
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const gatewayId = colon < 0 ? entry : entry.slice(0, colon);
    const secret = colon < 0 ? '' : entry.slice(colon + 1);
    const problem = !GATEWAY_ID.test(gatewayId)
      ? 'the gateway id must be 1-64 letters, digits, "_", "." or "-"'
      : gatewayId === SERVICE_USERNAME
        ? `${SERVICE_USERNAME} is the service's own user name`
        : gateways.has(gatewayId)
          ? `gateway ${gatewayId} is listed twice`
          : secret.length < MIN_GATEWAY_SECRET || !/^[\x21-\x7e]+$/.test(secret)
            ? `the secret of gateway ${gatewayId} must be at least ${MIN_GATEWAY_SECRET} printable characters without spaces or commas`
            : null;
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1}: ${problem}; entries are gateway-id:secret, separated by commas`,
      });
    }
    gateways.set(gatewayId, new Secret(secret));
  });
  if (entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'names no gateway' });
  }
  return gateways as ReadonlyMap<string, Secret>;
});

/** `cuff-1:clinic-north,gw-2:clinic-south`: which organization each cuff or gateway belongs to. */
const organizationAssignments = (what: 'cuff' | 'gateway') =>
  z.string().transform((value, ctx) => {
    const owners = new Map<string, string>();
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .forEach((entry, i) => {
        const colon = entry.indexOf(':');
        const id = colon < 0 ? entry : entry.slice(0, colon).trim();
        const organization = colon < 0 ? '' : entry.slice(colon + 1).trim();
        const problem = !GATEWAY_ID.test(id)
          ? `the ${what} id must be 1-64 letters, digits, "_", "." or "-"`
          : owners.has(id)
            ? `${what} ${id} is listed twice`
            : organization.length === 0 || organization.length > 200
              ? `${what} ${id} needs an organization of 1-200 characters`
              : null;
        if (problem) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${i + 1}: ${problem}; entries are ${what}-id:organization, separated by commas`,
          });
        }
        owners.set(id, organization);
      });
    return owners as ReadonlyMap<string, string>;
  });

/**
 * How the service reaches cuffs: in-process simulated cuffs, or MQTT to clinic gateways through
 * the broker at `url`, or through a broker the service embeds when no URL is given.
 */
export interface CuffConfig {
  transport: 'simulator' | 'mqtt';
  /**
   * Which organization each cuff belongs to: a cuff named in `cuffs`, else the organization of
   * its gateway, else (simulated cuffs) `simulated`. A cuff with none, or whose own and gateway's
   * organizations differ, belongs to no one and is shown to no one.
   */
  organizations: { cuffs: ReadonlyMap<string, string>; gateways: ReadonlyMap<string, string>; simulated: string };
  /** Simulated cuffs run by the simulator transport. */
  simulatedDevices: number;
  /** The simulated patient's LOP under each cuff; the simulator's defaults when null. */
  simulatedLopMmHg: { A: number; B: number } | null;
  mqtt: {
    url: string | null;
    site: string;
    /** Where the embedded broker listens when no URL is given; port 0 picks a free one. */
    embeddedBroker: { host: string; port: number };
    /** The service's account at the broker at `url`. */
    credentials: { username: string; password: Secret } | null;
    /** PEM files for an mqtts:// broker: the CA to trust it by, and the service's client certificate and key. */
    tls: { caFile: string | null; certFile: string | null; keyFile: string | null };
    /** Gateway id → secret: the gateways the embedded broker lets in (each only to its own topics), and the secret `npm run gateway:sim` logs in with. */
    gateways: ReadonlyMap<string, Secret> | null;
    /** Certificate chain and key the embedded broker serves TLS with. */
    brokerTls: { certFile: string; keyFile: string } | null;
  };
}

export const CUFF_VARIABLES = {
  CUFF_TRANSPORT: z.enum(['simulator', 'mqtt']).default('simulator'),
  CUFF_SIM_DEVICES: z.coerce.number().int().min(0).max(32).default(2),
  CUFF_SIM_ORGANIZATION: z.string().trim().min(1).max(200).default(DEVELOPMENT_ORGANIZATION),
  CUFF_ORGANIZATIONS: organizationAssignments('cuff').optional(),
  MQTT_GATEWAY_ORGANIZATIONS: organizationAssignments('gateway').optional(),
  CUFF_SIM_LOP_MMHG: z
    .string()
    .regex(/^\s*\d{2,3}\s*,\s*\d{2,3}\s*$/, 'must be two LOPs in mmHg, channel A then B, e.g. 180,200')
    .transform((value) => value.split(',').map(Number))
    .refine((lops) => lops.every((lop) => lop >= 40 && lop <= 400), 'must be LOPs between 40 and 400 mmHg')
    .optional(),
  MQTT_URL: z
    .url({ protocol: /^mqtts?$/, error: 'must be an mqtt:// or mqtts:// URL' })
    .refine(
      (url) => !new URL(url).username && !new URL(url).password,
      'must not hold credentials: give them in MQTT_USERNAME and MQTT_PASSWORD',
    )
    .optional(),
  MQTT_USERNAME: z.string().trim().min(1).max(256).optional(),
  MQTT_PASSWORD: z
    .string()
    .min(1)
    .max(1024)
    .transform((password) => new Secret(password))
    .optional(),
  MQTT_TLS_CA: pemFile('certificate').optional(),
  MQTT_TLS_CERT: pemFile('certificate').optional(),
  MQTT_TLS_KEY: pemFile('private key').optional(),
  MQTT_GATEWAY_CREDENTIALS: gatewayCredentials.optional(),
  MQTT_BROKER_TLS_CERT: pemFile('certificate').optional(),
  MQTT_BROKER_TLS_KEY: pemFile('private key').optional(),
  MQTT_SITE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 letters, digits, "_", ".", ":" or "-"')
    .default('clinic'),
  MQTT_BROKER_HOST: z.string().trim().min(1).default('127.0.0.1'),
  MQTT_BROKER_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
};
type CuffEnv = z.infer<z.ZodObject<typeof CUFF_VARIABLES>>;

/** Variables that go together, and those meant for one kind of broker only. */
function checkBrokerVariables(env: CuffEnv, problem: Problem<keyof CuffEnv>): void {
  const pairs = [
    ['MQTT_USERNAME', 'MQTT_PASSWORD'],
    ['MQTT_TLS_CERT', 'MQTT_TLS_KEY'],
    ['MQTT_BROKER_TLS_CERT', 'MQTT_BROKER_TLS_KEY'],
  ] as const;
  for (const [first, second] of pairs) {
    if ((env[first] === undefined) !== (env[second] === undefined)) {
      problem(
        env[first] === undefined ? first : second,
        `is required with ${env[first] === undefined ? second : first}`,
      );
    }
  }
  if (env.MQTT_URL !== undefined) {
    if (env.MQTT_BROKER_TLS_CERT) {
      problem('MQTT_BROKER_TLS_CERT', 'is for the embedded broker, which does not run when MQTT_URL is set');
    }
    if (env.MQTT_URL.startsWith('mqtt:') && (env.MQTT_TLS_CA || env.MQTT_TLS_CERT)) {
      problem(env.MQTT_TLS_CA ? 'MQTT_TLS_CA' : 'MQTT_TLS_CERT', 'needs an mqtts:// MQTT_URL');
    }
  } else {
    if (env.MQTT_USERNAME) {
      problem(
        'MQTT_USERNAME',
        'is for the broker at MQTT_URL; the embedded broker gives the service an account of its own',
      );
    }
    if (env.MQTT_TLS_CERT) {
      problem('MQTT_TLS_CERT', 'is for the broker at MQTT_URL');
    }
    if (env.MQTT_TLS_CA && !env.MQTT_BROKER_TLS_CERT) {
      problem('MQTT_TLS_CA', 'is for TLS: an mqtts:// MQTT_URL, or the embedded broker with MQTT_BROKER_TLS_CERT');
    }
  }
}

export function checkCuffs(env: CuffEnv, problem: Problem<keyof CuffEnv>): void {
  checkBrokerVariables(env, problem);
  if (env.CUFF_TRANSPORT !== 'mqtt') {
    return;
  }
  // Beyond this machine the link carries commands that inflate cuffs: it is encrypted and every party logs in.
  if (env.MQTT_URL !== undefined && !isLoopback(new URL(env.MQTT_URL).hostname)) {
    if (!env.MQTT_URL.startsWith('mqtts:')) {
      problem('MQTT_URL', 'must be mqtts:// (TLS) for a broker on another machine');
    }
    if (!env.MQTT_USERNAME && !env.MQTT_TLS_CERT) {
      problem('MQTT_USERNAME', 'or MQTT_TLS_CERT is required for a broker on another machine');
    }
  }
  if (env.MQTT_URL === undefined && !isLoopback(env.MQTT_BROKER_HOST)) {
    if (!env.MQTT_GATEWAY_CREDENTIALS) {
      problem(
        'MQTT_GATEWAY_CREDENTIALS',
        `is required when the embedded broker listens beyond loopback (MQTT_BROKER_HOST ${env.MQTT_BROKER_HOST})`,
      );
    }
    if (!env.MQTT_BROKER_TLS_CERT) {
      problem(
        'MQTT_BROKER_TLS_CERT',
        `is required when the embedded broker listens beyond loopback (MQTT_BROKER_HOST ${env.MQTT_BROKER_HOST})`,
      );
    }
  }
}

export function cuffConfig(e: CuffEnv): CuffConfig {
  return {
    transport: e.CUFF_TRANSPORT,
    organizations: {
      cuffs: e.CUFF_ORGANIZATIONS ?? new Map(),
      gateways: e.MQTT_GATEWAY_ORGANIZATIONS ?? new Map(),
      simulated: e.CUFF_SIM_ORGANIZATION,
    },
    simulatedDevices: e.CUFF_SIM_DEVICES,
    simulatedLopMmHg: e.CUFF_SIM_LOP_MMHG ? { A: e.CUFF_SIM_LOP_MMHG[0], B: e.CUFF_SIM_LOP_MMHG[1] } : null,
    mqtt: {
      url: e.MQTT_URL ?? null,
      site: e.MQTT_SITE,
      embeddedBroker: { host: e.MQTT_BROKER_HOST, port: e.MQTT_BROKER_PORT },
      credentials: e.MQTT_USERNAME && e.MQTT_PASSWORD ? { username: e.MQTT_USERNAME, password: e.MQTT_PASSWORD } : null,
      tls: { caFile: e.MQTT_TLS_CA ?? null, certFile: e.MQTT_TLS_CERT ?? null, keyFile: e.MQTT_TLS_KEY ?? null },
      gateways: e.MQTT_GATEWAY_CREDENTIALS ?? null,
      brokerTls:
        e.MQTT_BROKER_TLS_CERT && e.MQTT_BROKER_TLS_KEY
          ? { certFile: e.MQTT_BROKER_TLS_CERT, keyFile: e.MQTT_BROKER_TLS_KEY }
          : null,
    },
  };
}
