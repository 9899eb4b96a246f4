import { createServer, type Server } from 'node:net';

export interface EmbeddedBroker {
  /** mqtt://host:port of the running broker. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An aedes MQTT 3.1.1 broker inside the service, for when no broker URL is configured. It refuses
 * retained commands: a retained command would replay to a cuff when it reconnects.
 */
export async function startEmbeddedBroker({ host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<EmbeddedBroker> {
  // aedes is ESM-only.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, packet, callback) => {
      callback(packet.retain && packet.topic.endsWith('/cmd') ? new Error('commands are never retained') : null);
    },
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `mqtt://${host}:${actualPort}`,
    port: actualPort,
    close: async () => {
      // Closing the broker ends its client connections; the server then closes without waiting on them.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
