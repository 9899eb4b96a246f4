import { hostname } from 'node:os';

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrescriptionModule } from '../prescription/prescription.module';
import { CUFF_TRANSPORT, type CuffTransport } from '../device-adapter/cuff-transport';
import { CuffLeases, replicaName } from './cuff-leases';
import { CuffOwnership } from './cuff-ownership';
import type { Timers } from '../device-adapter/timers';
import { DEVICE_SESSION_ENTITIES } from './device-session.entities';
import { DeviceSessionsController } from './device-sessions.controller';
import { DeviceSessionsService } from './device-sessions.service';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';
import { TIMERS } from '../device-adapter/device-adapter.module';
import { ReplicaDuties } from './replica-duties';
import { SessionCommandInbox } from './session-command-inbox';
import { SessionJournal } from './session-journal';
import { SessionSupervisor } from './session-supervisor';

/** Device sessions, the cuff list and LOP measurements, on the transport the device adapter provides. */
@Module({
  imports: [TypeOrmModule.forFeature(DEVICE_SESSION_ENTITIES), PrescriptionModule],
  controllers: [DeviceSessionsController, DevicesController],
  providers: [
    {
      provide: SessionJournal,
      useFactory: (dataSource: DataSource) => new SessionJournal(dataSource),
      inject: [DataSource],
    },
    {
      provide: CuffLeases,
      useFactory: (dataSource: DataSource) => new CuffLeases(dataSource, replicaName(hostname(), process.pid)),
      inject: [DataSource],
    },
    {
      provide: SessionCommandInbox,
      useFactory: (dataSource: DataSource) => new SessionCommandInbox(dataSource),
      inject: [DataSource],
    },
    {
      provide: SessionSupervisor,
      useFactory: (transport: CuffTransport, timers: Timers, journal: SessionJournal, leases: CuffLeases) => {
        const supervisor = new SessionSupervisor(transport, timers, journal, leases);
        // A session whose record another replica now writes is no longer supervised or followed here.
        journal.whenStale((sessionId) => {
          supervisor.session(sessionId)?.relinquish();
          void journal.close(sessionId);
        });
        return supervisor;
      },
      inject: [CUFF_TRANSPORT, TIMERS, SessionJournal, CuffLeases],
    },
    {
      provide: ReplicaDuties,
      useFactory: (
        leases: CuffLeases,
        supervisor: SessionSupervisor,
        journal: SessionJournal,
        inbox: SessionCommandInbox,
        dataSource: DataSource,
        timers: Timers,
      ) => new ReplicaDuties(leases, supervisor, journal, inbox, dataSource, timers),
      inject: [CuffLeases, SessionSupervisor, SessionJournal, SessionCommandInbox, DataSource, TIMERS],
    },
    {
      provide: CuffOwnership,
      useFactory: (config: AppConfig, supervisor: SessionSupervisor) =>
        new CuffOwnership(config.cuffs.organizations, supervisor),
      inject: [APP_CONFIG, SessionSupervisor],
    },
    DeviceSessionsService,
    DevicesService,
  ],
})
export class DeviceSessionModule {}
