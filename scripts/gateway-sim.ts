/**
 * A clinic gateway with simulated cuffs behind it, connected to the service's MQTT broker: the
 * shape a real gateway bridging BLE cuffs has.
 *   npm run gateway:sim -- [--gateway gw-1] [--seed 1] [--cert gateway.crt --key gateway.key]
 * It reads the service's variables: MQTT_URL (or the embedded broker's MQTT_BROKER_HOST and
 * MQTT_BROKER_PORT when unset, over TLS when MQTT_BROKER_TLS_CERT is set), MQTT_SITE, MQTT_TLS_CA,
 * CUFF_SIM_DEVICES and CUFF_SIM_LOP_MMHG, and logs in with its own entry of MQTT_GATEWAY_CREDENTIALS
 * when that is set. `--cert` and `--key` give it a client certificate of its own (CN = gateway id)
 * for a broker that asks for one. Its cuffs are called {gateway}-cuff-1..N. Ctrl-C stops it with
 * an offline status.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { z } from 'zod';

import { ConfigError, isLoopback, loadConfig, pemFile } from '../src/config/config';
import { WireId } from '../src/device-adapter/cuff-program';
import { CuffGateway } from '../src/cuff-sim/cuff-gateway';
import { simulatedCuffs } from '../src/cuff-sim/sim-transport';
import { SystemTimers } from '../src/device-adapter/timers';

const USAGE = 'usage: npm run gateway:sim -- [--gateway gw-1] [--seed 1] [--cert gateway.crt --key gateway.key]';

const Options = z
  .object({
    gateway: WireId,
    seed: z.coerce.number().int().nonnegative(),
    cert: pemFile('certificate').optional(),
    key: pemFile('private key').optional(),
  })
  .refine((options) => (options.cert === undefined) === (options.key === undefined), {
    path: ['key'],
    message: '--cert and --key go together',
  });

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      gateway: { type: 'string', default: 'gw-1' },
      seed: { type: 'string', default: '1' },
      cert: { type: 'string' },
      key: { type: 'string' },
    },
  });
  const options = Options.safeParse(values);
  if (!options.success) {
    console.error(USAGE);
    console.error(options.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
    return 2;
  }
  const { cuffs } = loadConfig();
  const { mqtt } = cuffs;
  const url =
    mqtt.url ?? `${mqtt.brokerTls ? 'mqtts' : 'mqtt'}://${mqtt.embeddedBroker.host}:${mqtt.embeddedBroker.port}`;
  const { gateway: gatewayId, seed, cert, key } = options.data;
  const password = mqtt.gateways?.get(gatewayId);
  if (mqtt.gateways && !password) {
    console.error(`MQTT_GATEWAY_CREDENTIALS has no entry for gateway ${gatewayId}`);
    return 2;
  }
  if (password && url.startsWith('mqtt:') && !isLoopback(new URL(url).hostname)) {
    console.error(`the gateway will not send its secret to ${new URL(url).host} without TLS: use an mqtts:// broker`);
    return 2;
  }
  const gateway = new CuffGateway({
    url,
    site: mqtt.site,
    gatewayId,
    devices: simulatedCuffs(cuffs.simulatedDevices, cuffs.simulatedLopMmHg ?? undefined).map((device, i) => ({
      ...device,
      deviceId: `${gatewayId}-${device.deviceId}`,
      seed: seed * 1000 + i + 1,
    })),
    timers: new SystemTimers(),
    ...(password && { password: password.reveal() }),
    tls: {
      ...(mqtt.tls.caFile && { ca: readFileSync(mqtt.tls.caFile) }),
      ...(cert && key && { cert: readFileSync(cert), key: readFileSync(key) }),
    },
  });
  for (const cuff of gateway.sims()) {
    cuff.events$.subscribe(({ deviceId, at, event }) => {
      if (event.kind === 'STATE_CHANGED') {
        console.log(`${at} ${deviceId} ${event.from} -> ${event.to}`);
      } else if (event.kind === 'ALARM_RAISED') {
        console.log(`${at} ${deviceId} alarm ${event.alarm} (${event.action}): ${event.detail}`);
      } else if (event.kind === 'LOP_MEASURED') {
        console.log(
          `${at} ${deviceId} LOP channel ${event.lop.channel}: ${event.lop.found ? `${event.lop.lopMmHg} mmHg` : event.lop.reason}`,
        );
      }
    });
  }
  await gateway.start();
  console.log(
    `gateway ${gatewayId} on ${new URL(url).host}, site ${mqtt.site}${password ? ', logged in' : ''}: ${gateway
      .sims()
      .map((c) => c.deviceId)
      .join(', ')}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
