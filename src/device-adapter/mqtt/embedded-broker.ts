import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import type { Client } from 'aedes';

import type { BrokerAccess, BrokerIdentity } from './broker-access';

export interface EmbeddedBroker {
  /** mqtt://host:port (mqtts:// with TLS) of the running broker: the address gateways use. */
  readonly url: string;
  readonly port: number;
  /** A loopback address for a client in the same process: `url` itself without TLS. */
  readonly localUrl: string;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Who may connect and what each may do. Without it the broker is open to whoever reaches it. */
  access?: BrokerAccess;
  /** Serve MQTT over TLS with this certificate chain and key (PEM). */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** Told of every refused login, publish and subscription; never given a password or a payload. */
  onRefused?: (what: string) => void;
}

const BAD_USER_NAME_OR_PASSWORD = 4;

/**
 * An aedes MQTT 3.1.1 broker inside the service, for when no broker URL is configured. It refuses
 * retained commands: a retained command would replay to a cuff when it reconnects. With `access` it
 * lets in only the service and the known gateways and holds each to its topics; with `tls` the
 * gateways reach it over TLS, and a second listener on loopback serves the service in the same
 * process (which then need not be named in the certificate).
 */
export async function startEmbeddedBroker({
  host = '127.0.0.1',
  port = 0,
  access,
  tls,
  onRefused = () => undefined,
}: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  // aedes is ESM-only.
  const { Aedes } = await import('aedes');
  const identities = new WeakMap<Client, BrokerIdentity>();
  const label = (client: Client | null) => (client ? JSON.stringify(client.id.slice(0, 64)) : 'a client gone');
  const broker = await Aedes.createBroker({
    ...(access && {
      authenticate: (client, username, password, done) => {
        const identity = access.authenticate(client.id, username, password);
        if (!identity) {
          onRefused(`login of client ${label(client)} refused: bad user name, password or client id`);
          done(Object.assign(new Error('bad user name or password'), { returnCode: BAD_USER_NAME_OR_PASSWORD }), false);
          return;
        }
        identities.set(client, identity);
        done(null, true);
      },
      authorizeSubscribe: (client, subscription, done) => {
        const identity = identities.get(client);
        if (!identity || !access.maySubscribe(identity, subscription.topic)) {
          onRefused(`subscription of client ${label(client)} to ${subscription.topic} refused`);
          done(null, null);
          return;
        }
        done(null, subscription);
      },
    }),
    authorizePublish: (client, packet, done) => {
      if (packet.retain && packet.topic.endsWith('/cmd')) {
        onRefused(`retained command from client ${label(client)} on ${packet.topic} refused`);
        done(new Error('commands are never retained'));
        return;
      }
      if (!access) {
        done(null);
        return;
      }
      const identity = client ? identities.get(client) : undefined;
      const refusal = identity ? access.publishRefusal(identity, packet.topic, packet.retain) : 'unknown client';
      if (refusal) {
        // MQTT 3.1.1 cannot refuse one message: the client is disconnected (its Last Will goes out).
        onRefused(`publish of client ${label(client)} on ${packet.topic} refused: ${refusal}`);
        done(new Error(refusal));
        return;
      }
      done(null);
    },
  });

  const servers: Server[] = [];
  const listen = async (server: Server, onHost: string, onPort: number): Promise<number> => {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, onHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : onPort;
  };
  try {
    const actualPort = await listen(
      tls
        ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, broker.handle)
        : createServer(broker.handle),
      host,
      port,
    );
    const url = `${tls ? 'mqtts' : 'mqtt'}://${host}:${actualPort}`;
    const localUrl = tls ? `mqtt://127.0.0.1:${await listen(createServer(broker.handle), '127.0.0.1', 0)}` : url;
    return {
      url,
      port: actualPort,
      localUrl,
      close: () => close(broker, servers),
    };
  } catch (error) {
    await close(broker, servers);
    throw error;
  }
}

async function close(broker: { close(callback: () => void): void }, servers: Server[]): Promise<void> {
  // Closing the broker ends its client connections; the servers then close without waiting on them.
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await Promise.all(
    servers
      .filter((server) => server.listening)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
}
