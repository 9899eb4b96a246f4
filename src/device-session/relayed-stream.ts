import { Readable } from 'node:stream';

import { filter, type Subscription } from 'rxjs';
import { MoreThan, type Repository } from 'typeorm';

import type { CuffProgram } from '../device-adapter/cuff-program';
import type { CuffTransport } from '../device-adapter/cuff-transport';
import type { Telemetry } from '../device-adapter/protocol';
import type { Timers } from '../device-adapter/timers';
import type { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import type { DeviceSessionRecord } from './device-session.entity';
import { describeEvent } from './event-wording';
import type { LiveUpdate } from './session-types';

/** How often the stream reads the session's status and alarms from the database. */
const RECORD_POLL_MS = 500;
const ENDED = ['completed', 'aborted'];

export interface RelayedStreamSources {
  transport: CuffTransport;
  sessions: Repository<DeviceSessionRecord>;
  alarms: Repository<DeviceSessionAlarmRecord>;
  record: DeviceSessionRecord;
  timers: Timers;
}

/**
 * The live stream of a session another replica supervises: telemetry and cuff events straight from
 * the broker (every replica follows every cuff), status and alarms from the database as the
 * supervising replica writes them. The frames are those the supervising replica would send; the
 * set point and whether the pressure is in band come from the program.
 */
export function relayedStream({ transport, sessions, alarms, record, timers }: RelayedStreamSources): Readable {
  const program = JSON.parse(record.program) as CuffProgram;
  const stream = new Readable({ read: () => undefined });
  const frame = (update: LiveUpdate) => `event: ${update.type}\ndata: ${JSON.stringify(update)}\n\n`;
  const now = () => new Date(timers.now()).toISOString();
  let status = record.status;
  let lastAlarm = Number.MAX_SAFE_INTEGER;
  let closed = false;
  const subscriptions: Subscription[] = [];

  const finish = () => {
    if (closed) {
      return;
    }
    closed = true;
    clearInterval(poll);
    subscriptions.forEach((s) => s.unsubscribe());
    stream.push(null);
  };
  const readRecord = async () => {
    if (lastAlarm === Number.MAX_SAFE_INTEGER) {
      lastAlarm = (await alarms.maximum('seq', { sessionId: record.id })) ?? 0;
    }
    const [current, raised] = await Promise.all([
      sessions.findOne({ where: { id: record.id }, select: ['id', 'status', 'endReason'] }),
      alarms.find({ where: { sessionId: record.id, seq: MoreThan(lastAlarm) }, order: { seq: 'ASC' } }),
    ]);
    if (closed) {
      return;
    }
    for (const alarm of raised) {
      lastAlarm = alarm.seq;
      stream.push(
        frame({
          type: 'alarm',
          at: alarm.at.toISOString(),
          code: alarm.code,
          source: alarm.source,
          action: alarm.action,
          channel: alarm.channel,
          message: alarm.message,
        }),
      );
    }
    if (current && current.status !== status) {
      status = current.status;
      stream.push(frame({ type: 'status', at: now(), status, reason: current.endReason }));
    }
    if (ENDED.includes(status)) {
      finish();
    }
  };
  const poll = setInterval(() => void readRecord().catch(() => undefined), RECORD_POLL_MS);
  poll.unref();

  stream.push(frame({ type: 'status', at: now(), status, reason: null }));
  const mine = <T extends { deviceId: string }>() => filter((m: T) => m.deviceId === record.deviceId);
  subscriptions.push(
    transport.telemetry$
      .pipe(mine<Telemetry>())
      .subscribe((telemetry) => stream.push(frame(telemetryUpdate(program, record, telemetry, timers.now())))),
    transport.events$
      .pipe(mine())
      .subscribe((event) => stream.push(frame({ type: 'event', at: now(), summary: describeEvent(event) }))),
  );
  stream.on('close', finish);
  void readRecord().catch(() => undefined);
  return stream;
}

function telemetryUpdate(
  program: CuffProgram,
  record: DeviceSessionRecord,
  telemetry: Telemetry,
  now: number,
): LiveUpdate {
  const block = telemetry.blockIndex !== null ? program.blocks[telemetry.blockIndex] : undefined;
  const regulating =
    block !== undefined &&
    telemetry.setIndex !== null &&
    (telemetry.state === 'HOLDING' || (telemetry.state === 'SET_REST' && block.inflatedDuringRest));
  return {
    type: 'telemetry',
    at: new Date(now).toISOString(),
    elapsedMs: now - record.createdAt.getTime(),
    state: telemetry.state,
    blockIndex: telemetry.blockIndex,
    setIndex: telemetry.setIndex,
    channels: telemetry.channels.map(({ channel, meanMmHg, minMmHg, maxMmHg }) => {
      const targetMmHg = regulating && block.channel === channel ? block.targetMmHg : null;
      return {
        channel,
        meanMmHg,
        minMmHg,
        maxMmHg,
        targetMmHg,
        inBand:
          targetMmHg !== null && meanMmHg !== null
            ? Math.abs(meanMmHg - targetMmHg) <= program.limits.windowMmHg
            : null,
      };
    }),
  };
}
