import { z } from 'zod';

import { Channel, CuffProgram, Posture, WireId } from './cuff-program';

/**
 * The vendor-neutral cuff protocol, version 1 (device and safety reference §3.1). JSON messages,
 * the same over every transport. Everything that arrives from a cuff or a gateway is parsed with
 * these schemas before it is used: device data is untrusted input. No message carries a patient
 * identifier.
 */
export const PROTOCOL_VERSION = 1;

/** Messages larger than this are dropped unread. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

const Timestamp = z.iso.datetime({ offset: true });

/** States of a cuff unit (§3.2). Deflated: IDLE, READY, PROGRAM_LOADED, REPERFUSION, PAUSED, DONE, ABORTED, FAULT. */
export const CuffState = z.enum([
  'IDLE',
  'SELF_TEST',
  'READY',
  'PROGRAM_LOADED',
  'MEASURING_LOP',
  'INFLATING',
  'HOLDING',
  'SET_REST',
  'DEFLATING',
  'REPERFUSION',
  'PAUSED',
  'DONE',
  'ABORTED',
  'ALARM_DEFLATING',
  'FAULT',
]);
export type CuffState = z.infer<typeof CuffState>;

export const CommandType = z.enum([
  'SELF_TEST',
  'MEASURE_LOP',
  'PUSH_PROGRAM',
  'START',
  'NEXT_SET',
  'PAUSE',
  'RESUME',
  'DEFLATE',
  'ABORT',
  'CLEAR_ALARM',
]);
export type CommandType = z.infer<typeof CommandType>;

const Empty = z.strictObject({});

const Commands = {
  SELF_TEST: z.strictObject({ type: z.literal('SELF_TEST'), body: Empty }),
  MEASURE_LOP: z.strictObject({
    type: z.literal('MEASURE_LOP'),
    body: z.strictObject({ channel: Channel, posture: Posture }),
  }),
  PUSH_PROGRAM: z.strictObject({
    type: z.literal('PUSH_PROGRAM'),
    body: z.strictObject({
      programId: WireId,
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
      program: CuffProgram,
    }),
  }),
  START: z.strictObject({ type: z.literal('START'), body: z.strictObject({ programId: WireId }) }),
  NEXT_SET: z.strictObject({ type: z.literal('NEXT_SET'), body: Empty }),
  PAUSE: z.strictObject({ type: z.literal('PAUSE'), body: Empty }),
  RESUME: z.strictObject({ type: z.literal('RESUME'), body: Empty }),
  DEFLATE: z.strictObject({ type: z.literal('DEFLATE'), body: Empty }),
  ABORT: z.strictObject({ type: z.literal('ABORT'), body: Empty }),
  CLEAR_ALARM: z.strictObject({ type: z.literal('CLEAR_ALARM'), body: Empty }),
};

/** A command as the caller of a transport writes it; the transport wraps it in an envelope. */
export const Command = z.discriminatedUnion('type', [
  Commands.SELF_TEST,
  Commands.MEASURE_LOP,
  Commands.PUSH_PROGRAM,
  Commands.START,
  Commands.NEXT_SET,
  Commands.PAUSE,
  Commands.RESUME,
  Commands.DEFLATE,
  Commands.ABORT,
  Commands.CLEAR_ALARM,
]);
export type Command = z.infer<typeof Command>;

/** Fields every command carries on the wire (SR-10): who it is for, its order, and when it stops counting. */
export const EnvelopeHeader = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  msgId: WireId,
  deviceId: WireId,
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  /**
   * Fencing token of the controller that supervises the cuff: raised each time another replica
   * takes the cuff over. A cuff refuses a command whose epoch is below the highest it has seen
   * (DEFLATE and ABORT excepted, SR-13); a command without one counts as epoch 0.
   */
  epoch: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/** A command on the wire. */
export const CommandEnvelope = z.discriminatedUnion('type', [
  Commands.SELF_TEST.extend(EnvelopeHeader.shape),
  Commands.MEASURE_LOP.extend(EnvelopeHeader.shape),
  Commands.PUSH_PROGRAM.extend(EnvelopeHeader.shape),
  Commands.START.extend(EnvelopeHeader.shape),
  Commands.NEXT_SET.extend(EnvelopeHeader.shape),
  Commands.PAUSE.extend(EnvelopeHeader.shape),
  Commands.RESUME.extend(EnvelopeHeader.shape),
  Commands.DEFLATE.extend(EnvelopeHeader.shape),
  Commands.ABORT.extend(EnvelopeHeader.shape),
  Commands.CLEAR_ALARM.extend(EnvelopeHeader.shape),
]);
export type CommandEnvelope = z.infer<typeof CommandEnvelope>;

export const AckResult = z.enum([
  'OK',
  'REJECTED_LIMIT',
  'REJECTED_STATE',
  'REJECTED_EXPIRED',
  'REJECTED_REPLAY',
  'REJECTED_CONFLICT',
  'INVALID',
  'FAILED',
]);
export type AckResult = z.infer<typeof AckResult>;

/** The cuff's answer to one command (SR-11); `state` is the cuff's state right after it. */
export const Ack = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  msgId: WireId,
  type: z.literal('ACK'),
  deviceId: WireId,
  ackOf: WireId,
  result: AckResult,
  detail: z.string().max(500).optional(),
  state: CuffState,
  /** The hash of the program the cuff holds, so the server can check it stored what was sent. */
  programSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  at: Timestamp,
});
export type Ack = z.infer<typeof Ack>;

/** The controller's liveness signal (SR-7); an inflated cuff that misses it for 5 s deflates. */
export const Heartbeat = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('HEARTBEAT'),
  controllerId: WireId,
  seq: z.number().int().nonnegative(),
  at: Timestamp,
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** Null when the sensor gave no usable reading in the period. */
const mmHg = z.number().min(-50).max(1000).nullable();

export const ChannelTelemetry = z.strictObject({
  channel: Channel,
  meanMmHg: mmHg,
  minMmHg: mmHg,
  maxMmHg: mmHg,
  /** Share of the last 100 ms the pump ran, 0..1. */
  pumpDuty: z.number().min(0).max(1),
  /** Set point the cuff is regulating to; null when it is not regulating. */
  targetMmHg: z.number().nullable(),
  /** Occlusion of the current block so far, seconds. */
  blockOcclusionS: z.number().nonnegative(),
  /** Occlusion of the current program run so far, seconds. */
  sessionOcclusionS: z.number().nonnegative(),
});
export type ChannelTelemetry = z.infer<typeof ChannelTelemetry>;

/** Pressure of the last 100 ms per channel, published at 10 Hz, best effort (QoS 0). */
export const Telemetry = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('TELEMETRY'),
  deviceId: WireId,
  /** Device time at the end of the 100 ms. */
  at: Timestamp,
  state: CuffState,
  programId: WireId.nullable(),
  blockIndex: z.number().int().nonnegative().nullable(),
  setIndex: z.number().int().nonnegative().nullable(),
  channels: z.array(ChannelTelemetry).min(1).max(2),
});
export type Telemetry = z.infer<typeof Telemetry>;

export const AlarmCode = z.enum([
  /** SR-8: above the window for more than 1 s. */
  'PRESSURE_HIGH',
  /** SR-8: below the window for more than 1 s. */
  'PRESSURE_LOW',
  /** SR-9: the pump has to make up air loss. */
  'CUFF_LEAK',
  /** SR-1: measured pressure reached the trip; the cuff dumped. */
  'OVERPRESSURE_TRIP',
  /** The set point was not reached in time. */
  'INFLATION_TIMEOUT',
  /** SR-4. */
  'BLOCK_TIME_LIMIT',
  /** SR-6. */
  'SESSION_TIME_LIMIT',
  /** SR-7: no controller heartbeat for 5 s while inflated. */
  'HEARTBEAT_LOST',
  /** The pressure sensor reads nothing, a frozen value or an impossible jump. */
  'SENSOR_FAULT',
  /** The independent limiter cut the pump and opened its relief valve. */
  'INDEPENDENT_CUTOFF',
]);
export type AlarmCode = z.infer<typeof AlarmCode>;

/** Result of a LOP measurement with the cuff (embedded method, §3.3). */
export const LopResult = z.strictObject({
  channel: Channel,
  found: z.boolean(),
  lopMmHg: z.number().int().nullable(),
  /** Why no LOP was found: the pulse was still there at the search ceiling (SR-3), none was ever seen, the search ran out of time, or it was stopped. */
  reason: z.enum(['LOP_NOT_FOUND', 'NO_PULSE', 'TIMEOUT', 'ABORTED']).optional(),
  /** 0..1: how clearly the pulse stood out of the noise before it vanished. */
  confidence: z.number().min(0).max(1),
  beatsUsed: z.number().int().nonnegative(),
  posture: Posture,
  searchCeilingMmHg: z.number().int(),
  measuredAt: Timestamp,
});
export type LopResult = z.infer<typeof LopResult>;

const Where = {
  blockId: WireId,
  blockIndex: z.number().int().nonnegative(),
};

export const EventDetail = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('BOOTED'), reason: z.enum(['power-on', 'reboot']) }),
  z.strictObject({ kind: z.literal('STATE_CHANGED'), from: CuffState, to: CuffState }),
  z.strictObject({
    kind: z.literal('ALARM_RAISED'),
    alarm: AlarmCode,
    channel: Channel.nullable(),
    /** `deflate`: the cuff deflates and goes to FAULT; `none`: an advisory, the cuff carries on. */
    action: z.enum(['deflate', 'none']),
    detail: z.string().max(500),
  }),
  z.strictObject({ kind: z.literal('ALARM_CLEARED'), alarm: AlarmCode, channel: Channel.nullable() }),
  z.strictObject({ kind: z.literal('SELF_TEST_PASSED'), detail: z.string().max(500) }),
  z.strictObject({ kind: z.literal('SELF_TEST_FAILED'), detail: z.string().max(500) }),
  z.strictObject({ kind: z.literal('LOP_MEASURED'), lop: LopResult }),
  z.strictObject({
    kind: z.literal('SET_STARTED'),
    ...Where,
    setIndex: z.number().int().nonnegative(),
    targetMmHg: z.number(),
  }),
  z.strictObject({
    kind: z.literal('SET_COMPLETED'),
    ...Where,
    setIndex: z.number().int().nonnegative(),
    workS: z.number().nonnegative(),
  }),
  z.strictObject({ kind: z.literal('BLOCK_COMPLETED'), ...Where, occlusionS: z.number().nonnegative() }),
  z.strictObject({ kind: z.literal('SESSION_COMPLETED'), programId: WireId }),
  z.strictObject({ kind: z.literal('BUTTON_PRESSED') }),
]);
export type EventDetail = z.infer<typeof EventDetail>;

/** Something that happened on the cuff (QoS 1: consumers drop repeats by msgId). */
export const DeviceEvent = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('EVENT'),
  msgId: WireId,
  deviceId: WireId,
  at: Timestamp,
  /** State after the event. */
  state: CuffState,
  programId: WireId.nullable(),
  event: EventDetail,
});
export type DeviceEvent = z.infer<typeof DeviceEvent>;

/** Whether a cuff can be reached. */
export const Presence = z.strictObject({
  deviceId: WireId,
  online: z.boolean(),
  at: Timestamp,
});
export type Presence = z.infer<typeof Presence>;

/** What a cuff unit is. */
export const DeviceDescription = z.strictObject({
  deviceId: WireId,
  model: z.string().min(1).max(64),
  firmware: z.string().min(1).max(64),
  channels: z.array(Channel).min(1).max(2),
});
export type DeviceDescription = z.infer<typeof DeviceDescription>;

/** A cuff's last known state, kept by the broker (retained) so a new controller learns it at once. */
export const StateSnapshot = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('STATE'),
  deviceId: WireId,
  at: Timestamp,
  state: CuffState,
  programId: WireId.nullable(),
  programSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});
export type StateSnapshot = z.infer<typeof StateSnapshot>;

/** The commands a cuff takes whatever its state, its seq or their expiry (SR-13). */
export const ALWAYS_ACCEPTED: readonly CommandType[] = ['DEFLATE', 'ABORT'];

/**
 * A gateway's presence and the cuffs behind it, retained. Its Last Will says offline with no
 * cuffs: when the gateway's connection dies, every cuff behind it is offline.
 */
export const GatewayStatus = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('STATUS'),
  gatewayId: WireId,
  online: z.boolean(),
  at: Timestamp,
  devices: z.array(DeviceDescription).max(64),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;
