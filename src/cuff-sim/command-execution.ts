import type { Channel } from '../device-adapter/cuff-program';
import type { AckResult, CommandEnvelope } from '../device-adapter/protocol';
import { acceptedIn } from '../device-adapter/state-machine';
import type { AlarmWatch } from './alarm-watch';
import type { Deflation } from './deflation';
import type { FirmwareState } from './firmware-state';
import type { Procedures } from './procedures';
import type { ProgramAdmission } from './program-admission';
import type { ProgramRunner } from './program-runner';

export interface CommandOutcome {
  result: AckResult;
  detail?: string;
}

const NO_HEARTBEAT: CommandOutcome = {
  result: 'REJECTED_STATE',
  detail: 'no controller heartbeat: the cuff does not inflate without one',
};

/**
 * Carries out an admitted command when the state machine accepts it in the present state
 * (state-machine.ts), and says how it went. Commands that inflate need a live controller heartbeat.
 */
export class CommandExecution {
  constructor(
    private readonly firmware: FirmwareState,
    private readonly channels: readonly Channel[],
    private readonly programs: ProgramAdmission,
    private readonly procedures: Procedures,
    private readonly runner: ProgramRunner,
    private readonly deflation: Deflation,
    private readonly watch: AlarmWatch,
  ) {}

  execute(command: CommandEnvelope, now: number): CommandOutcome {
    const firmware = this.firmware;
    if (command.type === 'PUSH_PROGRAM') {
      const repeat = this.programs.repeat(command.body, firmware.loaded?.program.programId ?? null);
      if (repeat) {
        return repeat;
      }
    }
    if (!acceptedIn(firmware.state, command.type)) {
      return { result: 'REJECTED_STATE', detail: `${command.type} is not accepted in ${firmware.state}` };
    }

    switch (command.type) {
      case 'SELF_TEST':
        if (!this.watch.heartbeatFresh(now)) {
          return NO_HEARTBEAT;
        }
        firmware.loaded = null;
        this.procedures.startSelfTest(now);
        return { result: 'OK' };
      case 'MEASURE_LOP':
        if (!this.channels.includes(command.body.channel)) {
          return { result: 'INVALID', detail: `this cuff has no channel ${command.body.channel}` };
        }
        if (!this.watch.heartbeatFresh(now)) {
          return NO_HEARTBEAT;
        }
        // A new LOP changes every target: the loaded program no longer holds.
        firmware.loaded = null;
        this.procedures.startLop(command.body.channel, command.body.posture, now);
        return { result: 'OK' };
      case 'PUSH_PROGRAM': {
        const refusal = this.programs.admit(command.body);
        if (refusal) {
          return refusal;
        }
        firmware.loaded = { program: command.body.program, sha256: command.body.sha256 };
        firmware.enter('PROGRAM_LOADED', now);
        return { result: 'OK' };
      }
      case 'START':
        if (!firmware.loaded || firmware.loaded.program.programId !== command.body.programId) {
          return { result: 'REJECTED_STATE', detail: `program ${command.body.programId} is not the one loaded` };
        }
        if (!this.watch.heartbeatFresh(now)) {
          return NO_HEARTBEAT;
        }
        this.runner.start(firmware.loaded, now);
        return { result: 'OK' };
      case 'NEXT_SET':
        this.runner.nextSet(now);
        return { result: 'OK' };
      case 'PAUSE':
        this.deflation.deflate('PAUSED', now);
        return { result: 'OK' };
      case 'RESUME':
        if (this.runner.occlusionUsedUp()) {
          return { result: 'REJECTED_LIMIT', detail: 'the block or session occlusion time is used up' };
        }
        if (!this.watch.heartbeatFresh(now)) {
          return NO_HEARTBEAT;
        }
        this.runner.resume(now);
        return { result: 'OK' };
      case 'DEFLATE':
      case 'ABORT':
        this.deflation.bringDown(command.type, now);
        return { result: 'OK' };
      case 'CLEAR_ALARM': {
        const stillUp = firmware.units.filter((unit) => !unit.limiter.reset());
        if (stillUp.length > 0) {
          return {
            result: 'FAILED',
            detail: `channel ${stillUp.map((u) => u.channel).join(', ')} is still under pressure`,
          };
        }
        firmware.units.forEach((unit) => unit.clearSensorFault());
        firmware.enter('IDLE', now);
        return { result: 'OK' };
      }
    }
  }
}
