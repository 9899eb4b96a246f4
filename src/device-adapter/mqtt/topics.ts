/**
 * The MQTT topic layout (device and safety reference §2.2). `v1` in the path lets the payloads
 * change later. No patient identifier appears in a topic; cuffs are bound to sessions on the server.
 *
 *   bfr/v1/{site}/{gw}/status                retained  gateway presence, with its cuffs (Last Will: offline)
 *   bfr/v1/{site}/{gw}/heartbeat/server      QoS 0     server → gateway, 1 Hz
 *   bfr/v1/{site}/{gw}/{device}/cmd          QoS 1     server → cuff commands, never retained
 *   bfr/v1/{site}/{gw}/{device}/ack          QoS 1     cuff → server results
 *   bfr/v1/{site}/{gw}/{device}/telemetry    QoS 0     pressure, 10 Hz
 *   bfr/v1/{site}/{gw}/{device}/event        QoS 1     alarms, state changes, sets
 *   bfr/v1/{site}/{gw}/{device}/state        retained  last state snapshot
 */
export const TOPIC_ROOT = 'bfr/v1';

export type DeviceLeaf = 'cmd' | 'ack' | 'telemetry' | 'event' | 'state';

export type ParsedTopic =
  | { kind: 'status'; site: string; gatewayId: string }
  | { kind: 'heartbeat'; site: string; gatewayId: string }
  | { kind: DeviceLeaf; site: string; gatewayId: string; deviceId: string };

const DEVICE_LEAVES: readonly string[] = ['cmd', 'ack', 'telemetry', 'event', 'state'];

export const topics = {
  status: (site: string, gatewayId: string) => `${TOPIC_ROOT}/${site}/${gatewayId}/status`,
  heartbeat: (site: string, gatewayId: string) => `${TOPIC_ROOT}/${site}/${gatewayId}/heartbeat/server`,
  device: (site: string, gatewayId: string, deviceId: string, leaf: DeviceLeaf) =>
    `${TOPIC_ROOT}/${site}/${gatewayId}/${deviceId}/${leaf}`,

  /** What the server listens to: every gateway of its site and every cuff behind them. */
  server: (site: string) => [
    `${TOPIC_ROOT}/${site}/+/status`,
    ...(['ack', 'telemetry', 'event', 'state'] as const).map((leaf) => `${TOPIC_ROOT}/${site}/+/+/${leaf}`),
  ],

  /** What a gateway listens to: commands for its own cuffs and the server's heartbeat, nothing else. */
  gateway: (site: string, gatewayId: string) => [
    `${TOPIC_ROOT}/${site}/${gatewayId}/+/cmd`,
    `${TOPIC_ROOT}/${site}/${gatewayId}/heartbeat/server`,
  ],

  parse(topic: string): ParsedTopic | null {
    const levels = topic.split('/');
    if (levels.length < 5 || `${levels[0]}/${levels[1]}` !== TOPIC_ROOT) {
      return null;
    }
    const [, , site, gatewayId, ...rest] = levels;
    if (rest.length === 1 && rest[0] === 'status') {
      return { kind: 'status', site, gatewayId };
    }
    if (rest.length === 2 && rest[0] === 'heartbeat' && rest[1] === 'server') {
      return { kind: 'heartbeat', site, gatewayId };
    }
    if (rest.length === 2 && DEVICE_LEAVES.includes(rest[1])) {
      return { kind: rest[1] as DeviceLeaf, site, gatewayId, deviceId: rest[0] };
    }
    return null;
  },
};
