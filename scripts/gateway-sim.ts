/**
 * A clinic gateway with simulated cuffs behind it, connected to the service's MQTT broker: the
 * shape a real gateway bridging BLE cuffs has.
 *   npm run gateway:sim -- [--gateway gw-1] [--seed 1]
 * It reads the service's variables: MQTT_URL (or the embedded broker's MQTT_BROKER_HOST and
 * MQTT_BROKER_PORT when unset), MQTT_SITE, CUFF_SIM_DEVICES and CUFF_SIM_LOP_MMHG. Its cuffs are
 * called {gateway}-cuff-1..N. Ctrl-C stops it with an offline status.
 */
import { parseArgs } from 'node:util';

import { z } from 'zod';

import { ConfigError, loadConfig } from '../src/config/config';
import { WireId } from '../src/device-adapter/cuff-program';
import { CuffGateway } from '../src/device-adapter/mqtt/cuff-gateway';
import { simulatedCuffs } from '../src/device-adapter/sim-transport';
import { SystemTimers } from '../src/device-adapter/timers';

const Options = z.object({
  gateway: WireId,
  seed: z.coerce.number().int().nonnegative(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { gateway: { type: 'string', default: 'gw-1' }, seed: { type: 'string', default: '1' } } });
  const options = Options.safeParse(values);
  if (!options.success) {
    console.error('usage: npm run gateway:sim -- [--gateway gw-1] [--seed 1]');
    console.error(options.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n'));
    return 2;
  }
  const { cuffs } = loadConfig();
  const url = cuffs.mqtt.url ?? `mqtt://${cuffs.mqtt.embeddedBroker.host}:${cuffs.mqtt.embeddedBroker.port}`;
  const { gateway: gatewayId, seed } = options.data;
  const gateway = new CuffGateway({
    url,
    site: cuffs.mqtt.site,
    gatewayId,
    devices: simulatedCuffs(cuffs.simulatedDevices, cuffs.simulatedLopMmHg ?? undefined).map((device, i) => ({
      ...device,
      deviceId: `${gatewayId}-${device.deviceId}`,
      seed: seed * 1000 + i + 1,
    })),
    timers: new SystemTimers(),
  });
  for (const cuff of gateway.sims()) {
    cuff.events$.subscribe(({ deviceId, at, event }) => {
      if (event.kind === 'STATE_CHANGED') {
        console.log(`${at} ${deviceId} ${event.from} -> ${event.to}`);
      } else if (event.kind === 'ALARM_RAISED') {
        console.log(`${at} ${deviceId} alarm ${event.alarm} (${event.action}): ${event.detail}`);
      } else if (event.kind === 'LOP_MEASURED') {
        console.log(`${at} ${deviceId} LOP channel ${event.lop.channel}: ${event.lop.found ? `${event.lop.lopMmHg} mmHg` : event.lop.reason}`);
      }
    });
  }
  await gateway.start();
  console.log(`gateway ${gatewayId} on ${new URL(url).host}, site ${cuffs.mqtt.site}: ${gateway.sims().map((c) => c.deviceId).join(', ')}`);
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
