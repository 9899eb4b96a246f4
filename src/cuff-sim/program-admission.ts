import { type Channel, type CuffProgram, programSha256 } from '../device-adapter/cuff-program';
import { programLimitBreaches } from '../device-adapter/program-limits';
import type { AckResult } from '../device-adapter/protocol';

export interface ProgramPush {
  programId: string;
  sha256: string;
  program: CuffProgram;
}

export interface ProgramAnswer {
  result: AckResult;
  detail: string;
}

/**
 * Whether the cuff takes a pushed program: one id means one program (SR-12; the ids and hashes
 * seen since power-on are remembered), the hash must be the program's, the program may only use
 * the cuff's channels and must keep within the cuff's own hard limits.
 */
export class ProgramAdmission {
  private readonly known = new Map<string, string>();

  constructor(private readonly channels: readonly Channel[]) {}

  /** Checked before the state: a conflicting id is refused, and the program already held is acked again. */
  repeat(push: ProgramPush, loadedProgramId: string | null): ProgramAnswer | null {
    const known = this.known.get(push.programId);
    if (known !== undefined && known !== push.sha256) {
      return { result: 'REJECTED_CONFLICT', detail: `program ${push.programId} is already known with another hash` };
    }
    if (known !== undefined && loadedProgramId === push.programId) {
      return { result: 'OK', detail: 'program already loaded' };
    }
    return null;
  }

  /** Checks a new program; remembers it when it is taken. */
  admit({ programId, sha256, program }: ProgramPush): ProgramAnswer | null {
    if (programId !== program.programId) {
      return {
        result: 'INVALID',
        detail: `body.programId ${programId} differs from program.programId ${program.programId}`,
      };
    }
    const actual = programSha256(program);
    if (actual !== sha256) {
      return { result: 'INVALID', detail: `sha256 does not match the program (the cuff computed ${actual})` };
    }
    const missing = program.cuffs.filter((cuff) => !this.channels.includes(cuff.channel));
    if (missing.length > 0) {
      return { result: 'INVALID', detail: `this cuff has no channel ${missing.map((c) => c.channel).join(', ')}` };
    }
    const breaches = programLimitBreaches(program);
    if (breaches.length > 0) {
      return {
        result: 'REJECTED_LIMIT',
        detail: breaches
          .map((b) => `${b.requirement} ${b.path}: ${b.message}`)
          .join('; ')
          .slice(0, 500),
      };
    }
    this.known.set(programId, sha256);
    return null;
  }

  /** A power cycle forgets the programs seen. */
  forget(): void {
    this.known.clear();
  }
}
