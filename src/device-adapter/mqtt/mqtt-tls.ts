/** Trust and identity on an mqtts:// connection (PEM). */
export interface MqttTls {
  /** The CA to trust the broker by; the system's CAs when absent. */
  ca?: Buffer | string;
  /** Client certificate chain and key, for brokers that ask for one. */
  cert?: Buffer | string;
  key?: Buffer | string;
}

/** MQTT.js's TLS options: the broker's certificate is always verified; against `ca` when given. */
export function tlsOptions(tls: MqttTls | undefined): {
  rejectUnauthorized: true;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
} {
  return {
    rejectUnauthorized: true,
    ...(tls?.ca && { ca: tls.ca }),
    ...(tls?.cert && { cert: tls.cert }),
    ...(tls?.key && { key: tls.key }),
  };
}
