import { z } from 'zod';

import { Problem } from '../common/problem';
import { BodyPosition } from '../prescription/indication';
import { LopMeasurement } from '../prescription/prescription-request.schema';
import { Limb, Side } from '../screening/screening.ruleset';
import { Channel, CuffProgram, WireId } from '../device-adapter/cuff-program';
import { CuffState } from '../device-adapter/protocol';

const Site = z
  .strictObject({ limb: Limb.describe('Where the cuff goes.'), side: Side.describe('Which side.') })
  .describe('A cuff site of the plan.');

const CuffBinding = z
  .strictObject({
    channel: Channel.describe('Channel of the cuff unit (`A` or `B`); each channel drives one cuff.'),
    site: Site.describe('The cuff site the cuff on this channel is put on.'),
  })
  .meta({ id: 'CuffBinding', description: 'Which channel of the cuff unit goes on which cuff site.' });

export const DeviceSessionRequest = z
  .strictObject({
    deviceId: WireId.describe('The cuff unit, as `GET /v1/devices` lists it.'),
    cuffs: z
      .array(CuffBinding)
      .min(1)
      .max(2)
      .refine((cuffs) => new Set(cuffs.map((c) => c.channel)).size === cuffs.length, 'binds the same channel twice')
      .refine(
        (cuffs) => new Set(cuffs.map((c) => `${c.site.side}-${c.site.limb}`)).size === cuffs.length,
        'binds the same cuff site twice',
      )
      .describe('Which channel goes on which cuff site; every cuff site of the session needs one.'),
  })
  .meta({ id: 'DeviceSessionRequest', description: 'The cuff to push an approved plan to, and where its cuffs go.' });
export type DeviceSessionRequest = z.infer<typeof DeviceSessionRequest>;

export const AbortRequest = z
  .strictObject({
    reason: z.string().trim().min(3).max(500).optional().describe('Why the session is stopped, for the record.'),
  })
  .meta({ id: 'AbortRequest', description: 'Deflates the cuff and ends the session.' });
export type AbortRequest = z.infer<typeof AbortRequest>;

export const DeviceSessionParams = z.strictObject({ id: z.uuid().describe('Id of the device session.') });
export const DeviceParams = z.strictObject({ id: WireId.describe('Id of the cuff unit.') });

export const DeviceSessionStatus = z
  .enum(['loaded', 'running', 'paused', 'completed', 'aborted'])
  .describe(
    '`loaded` (the cuff holds the program; start it), `running`, `paused` (deflated, program kept), `completed`, or `aborted` (deflated early: by a clinician, the cuff, or a safety breach).',
  );

const SessionSummary = z
  .object({
    bandMmHg: z
      .number()
      .describe('Half-width of the pressure band around the set point, mmHg (the cuff alarm window, SR-8).'),
    prescribedAtTargetS: z
      .number()
      .describe('Time the program holds the set point: every set, and every rest kept inflated, seconds.'),
    atTargetS: z.number().describe('Time the cuff was meant to hold the set point so far, seconds.'),
    inBandS: z.number().describe('Of that, time the pressure was within the band, seconds.'),
    adherence: z
      .number()
      .describe(
        'Time in band over the prescribed time at the set point, 0 to 1: how much of the prescribed restriction the patient actually got.',
      ),
    channels: z
      .array(
        z.object({
          channel: z.string().describe('Channel.'),
          inflatedS: z.number().describe('Time above 10 mmHg, seconds.'),
          atTargetS: z.number().describe('Time meant to be at the set point, seconds.'),
          inBandS: z.number().describe('Time within the band, seconds.'),
        }),
      )
      .describe('The same per channel.'),
  })
  .meta({
    id: 'DeviceSessionAdherence',
    description: 'Adherence: time the pressure was within the band, against what the program prescribes.',
  });

const SetStatistics = z
  .object({
    blockIndex: z.number().int().describe('Block of the program, from 0.'),
    exerciseId: z.string().describe('The exercise of that block.'),
    setIndex: z.number().int().describe('Set of the block, from 0.'),
    phase: z.enum(['work', 'rest']).describe('`work`: the set; `rest`: the rest after it with the cuff kept inflated.'),
    channel: z.string().describe('Channel.'),
    targetMmHg: z.number().describe('Set point, mmHg.'),
    bandMmHg: z.number().describe('Half-width of the band, mmHg.'),
    startedS: z.number().describe('When the phase began, seconds after the session was created.'),
    endedS: z.number().describe('When it ended, seconds after the session was created.'),
    minMmHg: z.number().describe('Lowest pressure.'),
    meanMmHg: z.number().describe('Mean pressure.'),
    maxMmHg: z.number().describe('Highest pressure.'),
    observedS: z.number().describe('Time observed, seconds.'),
    inBandS: z.number().describe('Time within the band, seconds.'),
    inBandShare: z.number().describe('Share of the observed time within the band, 0 to 1.'),
  })
  .meta({
    id: 'DeviceSessionSet',
    description: 'Pressure actually held during one set, or the inflated rest after it.',
  });

const SessionEvent = z
  .object({
    seq: z.number().int().describe('Order in the session log.'),
    at: z.string().describe('When (ISO 8601).'),
    elapsedS: z.number().describe('Seconds after the session was created.'),
    kind: z
      .enum(['command', 'device-event', 'state', 'note'])
      .describe("A command and the cuff's answer, something the cuff reported, or a note of the supervisor."),
    actor: z.string().describe('Who: the clinician (token subject), `supervisor` or `device`.'),
    summary: z.string().describe('What happened, in one line.'),
    detail: z
      .record(z.string(), z.unknown())
      .describe('The command and acknowledgement, or the cuff event, as recorded.'),
  })
  .meta({ id: 'DeviceSessionEvent', description: 'One entry of a session log.' });

const SessionAlarm = z
  .object({
    seq: z.number().int().describe('Order among the alarms.'),
    at: z.string().describe('When (ISO 8601).'),
    elapsedS: z.number().describe('Seconds after the session was created.'),
    code: z
      .string()
      .describe(
        'Alarm code, e.g. `TELEMETRY_LOST`, `NO_ACK`, `PRESSURE_HIGH`, `BLOCK_TIME_LIMIT`, or a code the cuff raised (`CUFF_LEAK`, `HEARTBEAT_LOST`, ...).',
      ),
    source: z.enum(['server', 'device']).describe("Raised by the service's own checks or by the cuff."),
    action: z
      .enum(['deflated', 'recorded'])
      .describe('`deflated`: the cuff was deflated and the session ended; `recorded`: noted only.'),
    channel: z.string().nullable().describe('Channel it concerns; null for the whole cuff.'),
    message: z.string().describe('What happened, for the clinician.'),
  })
  .meta({ id: 'DeviceSessionAlarm', description: 'An alarm of a session.' });

export const DeviceSession = z
  .object({
    id: z.uuid().describe('Id of the session.'),
    prescriptionId: z.uuid().describe('The approved plan version it runs.'),
    patientRef: z.string().describe("The clinic's reference for the patient."),
    deviceId: z.string().describe('The cuff unit.'),
    status: DeviceSessionStatus,
    pressureBasis: z
      .enum(['first-session', 'ramp', 'working'])
      .describe(
        "`first-session`: the plan's first-session pressures and exercise count (no completed session of the plan yet); `ramp`: the step of the plan's pressure ramp for the number of completed sessions; `working`: the working pressures.",
      ),
    cuffs: z.array(CuffBinding).describe('Which channel is on which cuff site.'),
    program: CuffProgram,
    programSha256: z
      .string()
      .describe('SHA-256 of the canonical program; the cuff echoed it when it stored the program.'),
    deviceState: CuffState.nullable().describe("The cuff's last reported state."),
    createdAt: z.string().describe('When the program was pushed (ISO 8601).'),
    createdBy: z.string().describe('Who pushed it.'),
    startedAt: z.string().nullable().describe('When it was started.'),
    endedAt: z.string().nullable().describe('When it ended.'),
    endReason: z.string().nullable().describe('Why it ended.'),
    adherence: SessionSummary,
    sets: z.array(SetStatistics).describe('Pressure held in each set and inflated rest, in order.'),
    events: z
      .array(SessionEvent)
      .describe("The session log: every command with the cuff's answer, and every cuff event."),
    alarms: z.array(SessionAlarm).describe('Every alarm.'),
    trace: z
      .object({
        bucketS: z.number().describe('Seconds per point.'),
        channels: z
          .record(z.string(), z.array(z.array(z.number())))
          .describe('Per channel, points of [seconds after creation, min, mean, max] mmHg.'),
      })
      .describe('Pressure actually held, one point per second.'),
  })
  .meta({
    id: 'DeviceSession',
    description:
      'A run of an approved plan on a cuff: the program, the pressure actually held, events, alarms and adherence.',
  });
export type DeviceSession = z.infer<typeof DeviceSession>;

/** A refused session or command: the problem, with what the cuff answered or which limits the program breaks. */
export const DeviceSessionRefusal = Problem.extend({
  breaches: z
    .array(
      z.object({
        requirement: z
          .string()
          .describe(
            'The limit broken: a cuff safety requirement (`SR-1`..`SR-8`), `envelope` (the prescription safety envelope) or `program`.',
          ),
        path: z.string().describe('Where in the program.'),
        message: z.string().describe('The value and the limit.'),
      }),
    )
    .optional()
    .describe('For PROGRAM_REFUSED: every breach.'),
  ack: z
    .object({
      result: z.string().describe("The cuff's result code."),
      detail: z.string().nullable().describe('Its explanation.'),
      state: z.string().describe('Its state.'),
    })
    .optional()
    .describe('For DEVICE_REJECTED: what the cuff answered.'),
  reason: z
    .enum(['LOP_NOT_FOUND', 'NO_PULSE', 'TIMEOUT', 'ABORTED'])
    .optional()
    .describe('For LOP_NOT_FOUND: why the cuff found none.'),
  searchCeilingMmHg: z
    .number()
    .optional()
    .describe('For LOP_NOT_FOUND: the highest pressure the cuff searched to, mmHg.'),
}).meta({ id: 'DeviceSessionRefusal', description: 'A refused device session, command or LOP measurement.' });

export const Device = z
  .object({
    deviceId: z.string().describe('Id of the cuff unit.'),
    model: z.string().describe('Model.'),
    firmware: z.string().describe('Firmware version.'),
    channels: z.array(Channel).describe('Its channels, one cuff each.'),
    online: z.boolean().describe('Whether it can be reached now.'),
    state: CuffState.nullable().describe('Its last reported state; null before it reported one.'),
    gatewayId: z.string().nullable().describe('The gateway it is reached through; null for the built-in simulator.'),
    lastSeenAt: z.string().nullable().describe('When anything was last heard from it (ISO 8601).'),
    sessionId: z.uuid().nullable().describe("The session of the caller's organization it is running; null if none."),
    busy: z
      .boolean()
      .describe(
        'Whether it cannot take a session or a measurement now: it is running one (of any organization) or is not yet at rest (still letting the air out after its last use).',
      ),
  })
  .meta({ id: 'Device', description: 'A cuff unit the service can reach.' });

export const DeviceList = z
  .object({
    items: z.array(Device).describe('Every cuff unit known to the transport.'),
    transport: z.enum(['simulator', 'mqtt']).describe('How the service reaches the cuffs.'),
  })
  .meta({ id: 'DeviceList', description: 'The cuff units.' });

export const LopMeasurementRequest = z
  .strictObject({
    patientRef: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .describe("The clinic's reference for the patient the cuff is on; an LOP only holds for that patient."),
    channel: Channel.describe('Channel of the cuff to measure with.'),
    site: Site.describe('Where that cuff is.'),
    cuffWidthCm: z.number().min(2).max(30).describe('Width of that cuff, cm; the LOP only holds for this width.'),
    posture: BodyPosition.describe('Body position of the patient during the measurement; the LOP only holds for it.'),
  })
  .meta({ id: 'LopMeasurementRequest', description: 'Measure the limb occlusion pressure with the cuff.' });
export type LopMeasurementRequest = z.infer<typeof LopMeasurementRequest>;

export const DeviceLopMeasurement = z
  .object({
    id: z.uuid().describe('Id of the stored measurement.'),
    patientRef: z.string().describe("The clinic's reference for the patient."),
    deviceId: z.string().describe('The cuff unit that measured.'),
    channel: Channel.describe('Its channel.'),
    site: Site.describe('Where the cuff was.'),
    cuffWidthCm: z.number().describe('Width of the cuff, cm.'),
    posture: BodyPosition.describe('Body position during the measurement.'),
    mmHg: z.number().int().describe('The limb occlusion pressure, mmHg.'),
    method: z.literal('device').describe('Measured by the cuff itself (embedded pulse detection).'),
    confidence: z.number().describe("The cuff's confidence in the value, 0 to 1."),
    beatsUsed: z.number().int().describe('Pulse beats the detection rested on.'),
    measuredAt: z.string().describe('When (ISO 8601).'),
    measuredBy: z.string().describe('Who asked for it (token subject).'),
    lop: LopMeasurement.describe(
      'The measurement as a prescription request takes it: put it in `limbs[].lop` of `POST /v1/prescriptions` (or a revision) for this site. Method `automatic-cuff`; `device` names the cuff and this measurement.',
    ),
  })
  .meta({ id: 'DeviceLopMeasurement', description: 'An LOP measured with the cuff, stored with its provenance.' });
export type DeviceLopMeasurement = z.infer<typeof DeviceLopMeasurement>;
