import { readFileSync } from 'node:fs';

import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import { DataSource } from 'typeorm';

import type { CuffConfig } from '../config/config';
import { type CommandSequence, DatabaseCommandSequence } from './command-sequence';
import { CUFF_TRANSPORT, type CuffTransport } from './cuff-transport';
import { MqttTransport } from './mqtt/mqtt-transport';
import { SystemTimers, type Timers } from './timers';

/** Nest injection token of the cuff-side clock (Timers), shared by the transport and whoever supervises sessions. */
export const TIMERS = Symbol('TIMERS');

/**
 * Builds the in-process transport to simulated cuffs. The simulator is the cuff's side of the
 * protocol and lives outside the adapter; the application hands it in.
 */
export type SimulatorTransport = (config: CuffConfig, timers: Timers) => CuffTransport;

export interface DeviceAdapterOptions {
  /** The transport used when the configuration asks for simulated cuffs. */
  simulator: SimulatorTransport;
  /** The clock of the cuff side; tests pass VirtualTimers. */
  timers?: Timers;
  /** Number commands from the database, shared by every replica (PostgreSQL); otherwise this process counts alone. */
  sharedSequence?: boolean;
}

/** The transport the configuration asks for. */
export function cuffTransportFrom(
  config: CuffConfig,
  timers: Timers,
  simulator: SimulatorTransport,
  sequence?: CommandSequence,
): CuffTransport {
  switch (config.transport) {
    case 'simulator':
      return simulator(config, timers);
    case 'mqtt': {
      const logger = new Logger('MqttTransport');
      const { mqtt } = config;
      const read = (file: string | null) => (file ? readFileSync(file) : undefined);
      if (config.organizations.gateways.size === 0 && config.organizations.cuffs.size === 0) {
        logger.warn(
          'No gateway or cuff is assigned to an organization (MQTT_GATEWAY_ORGANIZATIONS, CUFF_ORGANIZATIONS): the cuffs behind the gateways are shown to no one.',
        );
      }
      return new MqttTransport({
        url: mqtt.url,
        embeddedBroker: {
          ...mqtt.embeddedBroker,
          ...(mqtt.gateways && {
            gateways: new Map([...mqtt.gateways].map(([gatewayId, secret]) => [gatewayId, secret.reveal()])),
          }),
          ...(mqtt.brokerTls && {
            tls: { cert: readFileSync(mqtt.brokerTls.certFile), key: readFileSync(mqtt.brokerTls.keyFile) },
          }),
        },
        ...(mqtt.credentials && {
          credentials: { username: mqtt.credentials.username, password: mqtt.credentials.password.reveal() },
        }),
        tls: { ca: read(mqtt.tls.caFile), cert: read(mqtt.tls.certFile), key: read(mqtt.tls.keyFile) },
        site: mqtt.site,
        timers,
        ...(sequence && { sequence }),
        onRejected: (topic, reason) => logger.warn({ topic, reason }, 'dropped an invalid message from the broker'),
        onRefused: (what) => logger.warn({ refused: what }, 'the embedded MQTT broker refused a client'),
      });
    }
  }
}

/** Starts the transport with the application and stops it after everything that uses it has shut down. */
@Injectable()
class CuffTransportLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(CUFF_TRANSPORT) private readonly transport: CuffTransport) {}

  onModuleInit(): Promise<void> {
    return this.transport.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.transport.stop();
  }
}

@Global()
@Module({})
export class DeviceAdapterModule {
  static forRoot(
    config: CuffConfig,
    { simulator, timers = new SystemTimers(), sharedSequence = false }: DeviceAdapterOptions,
  ): DynamicModule {
    return {
      module: DeviceAdapterModule,
      providers: [
        { provide: TIMERS, useValue: timers },
        {
          provide: CUFF_TRANSPORT,
          useFactory: (db: DataSource) =>
            cuffTransportFrom(config, timers, simulator, sharedSequence ? new DatabaseCommandSequence(db) : undefined),
          inject: [DataSource],
        },
        CuffTransportLifecycle,
      ],
      exports: [TIMERS, CUFF_TRANSPORT],
    };
  }
}
