import type { CommandSequence } from '../command-sequence';
import type { Timers } from '../timers';
import type { MqttTls } from './mqtt-tls';

export interface EmbeddedBrokerSettings {
  host: string;
  port: number;
  /**
   * Gateway id → secret of every gateway the broker lets in. With it the broker authenticates
   * every client and holds each to its own topics, and the service logs in with a secret made
   * at start that never leaves the process; without it the broker is open.
   */
  gateways?: ReadonlyMap<string, string>;
  /** Serve the gateways over TLS. */
  tls?: { cert: Buffer | string; key: Buffer | string };
}

export interface MqttTransportOptions {
  /** The broker; without one, the transport starts an embedded broker on `embeddedBroker`. */
  url: string | null;
  embeddedBroker?: EmbeddedBrokerSettings;
  /** The service's account at the broker at `url`. */
  credentials?: { username: string; password: string };
  /** TLS toward the broker at `url` when it is mqtts://. */
  tls?: MqttTls;
  /** Told of clients the embedded broker refused, and of what it refused them. */
  onRefused?: (what: string) => void;
  site: string;
  timers: Timers;
  /** How long start() waits for the first connection before it reports the transport down. */
  connectTimeoutMs?: number;
  /** Told about messages dropped as invalid (device data is untrusted). */
  onRejected?: (topic: string, reason: string) => void;
  /** Numbers the commands for every replica alike (PostgreSQL); without it this process counts on its own. */
  sequence?: CommandSequence;
}
