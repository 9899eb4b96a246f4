import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import type { CuffConfig } from '../config/config';
import { CUFF_TRANSPORT, type CuffTransport } from './cuff-transport';
import { MqttTransport } from './mqtt/mqtt-transport';
import { simulatedCuffs, SimTransport } from './sim-transport';
import { SystemTimers, type Timers } from './timers';

/** Nest injection token of the cuff-side clock (Timers), shared by the transport and whoever supervises sessions. */
export const TIMERS = Symbol('TIMERS');

export interface DeviceAdapterOptions {
  /** The clock of the cuff side; tests pass VirtualTimers. */
  timers?: Timers;
}

/** The transport the configuration asks for. */
export function cuffTransportFrom(config: CuffConfig, timers: Timers): CuffTransport {
  switch (config.transport) {
    case 'simulator':
      return new SimTransport({ devices: simulatedCuffs(config.simulatedDevices, config.simulatedLopMmHg ?? undefined), timers });
    case 'mqtt': {
      const logger = new Logger('MqttTransport');
      return new MqttTransport({
        url: config.mqtt.url,
        embeddedBroker: config.mqtt.embeddedBroker,
        site: config.mqtt.site,
        timers,
        onRejected: (topic, reason) => logger.warn({ topic, reason }, 'dropped an invalid message from the broker'),
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
  static forRoot(config: CuffConfig, { timers = new SystemTimers() }: DeviceAdapterOptions = {}): DynamicModule {
    return {
      module: DeviceAdapterModule,
      providers: [
        { provide: TIMERS, useValue: timers },
        { provide: CUFF_TRANSPORT, useFactory: () => cuffTransportFrom(config, timers) },
        CuffTransportLifecycle,
      ],
      exports: [TIMERS, CUFF_TRANSPORT],
    };
  }
}
