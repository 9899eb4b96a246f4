import type { Observable } from 'rxjs';

import type {
  Ack,
  Command,
  CommandType,
  CuffState,
  DeviceDescription,
  DeviceEvent,
  Presence,
  Telemetry,
} from './protocol';

/** A cuff as the server knows it. */
export interface DeviceInfo extends DeviceDescription {
  online: boolean;
  /** Last state the cuff reported; null before it reported any. */
  state: CuffState | null;
  /** The gateway it is reached through; null for the in-process simulator. */
  gatewayId: string | null;
  /** When anything was last heard from it (ISO time); null if never. */
  lastSeenAt: string | null;
}

/** How the transport itself is doing, for /health. */
export interface TransportHealth {
  status: 'up' | 'down';
  /** Where the broker is, without credentials; absent for the simulator. */
  broker?: string;
  devicesKnown: number;
  devicesOnline: number;
  detail?: string;
}

/**
 * The port between the server and cuffs. A transport wraps each command in an envelope (msgId, seq,
 * issuedAt, expiresAt), sends it once (never queued or retained for an offline cuff), and answers
 * with the cuff's ack. While started it sends the controller heartbeat (SR-7, 1 Hz) to every cuff,
 * which deflates after 5 s without one.
 */
export interface CuffTransport {
  readonly kind: 'simulator' | 'mqtt';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Known cuffs with presence, model, channels and last state. */
  devices(): DeviceInfo[];
  /**
   * Resolves with the cuff's ack (whatever its result: the caller reads `result`). Rejects with
   * DeviceUnavailableError when the cuff is unknown or offline (DEFLATE and ABORT are sent anyway),
   * and with DeviceNoAckError when no ack arrives within the ack deadline (2 s; SR-11). `epoch`
   * is the fencing token of the cuff's lease held by this replica, if any.
   */
  send(deviceId: string, command: Command, epoch?: number): Promise<Ack>;
  /** Pressure per channel at 10 Hz, validated. */
  readonly telemetry$: Observable<Telemetry>;
  /** State changes, alarms, set and block completion, LOP results, validated and without repeats. */
  readonly events$: Observable<DeviceEvent>;
  readonly presence$: Observable<Presence>;
  health(): TransportHealth;
}

/** Nest injection token of the configured transport. */
export const CUFF_TRANSPORT = Symbol('CUFF_TRANSPORT');

/** A command that did not get an answer from the cuff: the server must not assume it was carried out. */
export class DeviceCommandError extends Error {
  constructor(
    readonly deviceId: string,
    readonly command: CommandType,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No ack within the deadline (SR-11). */
export class DeviceNoAckError extends DeviceCommandError {
  constructor(
    deviceId: string,
    command: CommandType,
    readonly msgId: string,
    readonly deadlineMs: number,
  ) {
    super(deviceId, command, `cuff ${deviceId} did not acknowledge ${command} within ${deadlineMs} ms`);
  }
}

/** The cuff is not known to the transport, or is offline, or no seq could be had: the command was not sent. */
export class DeviceUnavailableError extends DeviceCommandError {
  constructor(
    deviceId: string,
    command: CommandType,
    readonly reason: 'unknown' | 'offline' | 'stopped' | 'unsequenced',
  ) {
    super(
      deviceId,
      command,
      reason === 'stopped'
        ? `the cuff transport is not running; ${command} was not sent to ${deviceId}`
        : reason === 'unsequenced'
          ? `no command sequence number could be claimed from the database; ${command} was not sent to ${deviceId}`
          : `cuff ${deviceId} is ${reason}; ${command} was not sent`,
    );
  }
}
