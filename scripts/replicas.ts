/**
 * Several replicas of the service on one machine, sharing one PostgreSQL database and one MQTT
 * broker (e.g. Mosquitto), each on a port of its own:
 *   DATABASE_URL=postgres://... MQTT_URL=mqtt://127.0.0.1:1883 npm run replicas -- [--count 2] [--port 3001]
 * Every other variable of the service is passed on (MQTT_SITE, MQTT_GATEWAY_ORGANIZATIONS, auth).
 * Replica i listens on port + i. A load balancer in front needs no stickiness (README "Running
 * several replicas"). Ctrl-C stops them all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const START_TIMEOUT_MS = 60_000;

/** Starts one replica of the service (src/main.ts) with `env` on `port`; its log goes to this process's stderr. */
export function spawnReplica(env: Record<string, string>, port: number, name: string): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: env.HOST ?? '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', (code, signal) => console.error(`replica ${name} (port ${port}) exited: ${signal ?? code}`));
  return child;
}

/** Resolves once the replica on `port` answers /health; rejects after a minute. */
export async function healthy(port: number): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the replica on port ${port} did not start within ${START_TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '2' }, port: { type: 'string', default: '3001' } },
  });
  const count = Number(values.count);
  const port = Number(values.port);
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    count > 16 ||
    !Number.isInteger(port) ||
    port < 1 ||
    port + count > 65_535
  ) {
    console.error('usage: npm run replicas -- [--count 2 (1..16)] [--port 3001]');
    return 2;
  }
  if (!process.env.DATABASE_URL?.startsWith('postgres')) {
    console.error('DATABASE_URL must name a PostgreSQL database: replicas share it (SQLite serves one process)');
    return 2;
  }
  if (!process.env.MQTT_URL) {
    console.error('MQTT_URL must name the MQTT broker the replicas share (an embedded broker belongs to one process)');
    return 2;
  }
  const env = { CUFF_TRANSPORT: 'mqtt' };
  const children = Array.from({ length: count }, (_, i) => spawnReplica(env, port + i, String(i + 1)));
  const stop = () => children.forEach((child) => child.kill('SIGTERM'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(children.map((_, i) => healthy(port + i)));
  console.log(`${count} replicas up on ports ${port}..${port + count - 1}`);
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
