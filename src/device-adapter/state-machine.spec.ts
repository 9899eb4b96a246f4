import { cuffProgram } from '../../test/cuff-programs';
import { SimController } from '../../test/sim-controller';
import { programSha256 } from './cuff-program';
import { type Command, CommandType, CuffState } from './protocol';
import { COMMAND_TRANSITIONS } from './state-machine';

/** A valid command of each type, so that only the state decides the answer. */
function commandOf(type: CommandType): Command {
  const other = cuffProgram({ programId: 'prg-other' });
  switch (type) {
    case 'MEASURE_LOP':
      return { type, body: { channel: 'A', posture: 'supine' } };
    case 'PUSH_PROGRAM':
      return { type, body: { programId: other.programId, sha256: programSha256(other), program: other } };
    case 'START':
      return { type, body: { programId: 'prg-1' } };
    default:
      return { type, body: {} } as Command;
  }
}

describe('cuff state machine (generated from COMMAND_TRANSITIONS)', () => {
  it('accepts DEFLATE and ABORT in every state (SR-13)', () => {
    for (const state of CuffState.options) {
      expect(COMMAND_TRANSITIONS[state].DEFLATE).toBeDefined();
      expect(COMMAND_TRANSITIONS[state].ABORT).toBeDefined();
    }
  });

  const cases = CuffState.options.flatMap((state) => CommandType.options.map((command) => [state, command] as const));

  it.each(cases)('in %s, %s', async (state, type) => {
    const sut = new SimController();
    try {
      await sut.driveTo(state);
      expect(sut.sim.state).toBe(state);

      const ack = sut.send(commandOf(type));

      const allowed = COMMAND_TRANSITIONS[state][type];
      if (allowed) {
        expect({ result: ack.result, detail: ack.detail }).toEqual({ result: 'OK', detail: undefined });
        expect(allowed).toContain(ack.state);
        expect(sut.sim.state).toBe(ack.state);
      } else {
        expect(ack.result).toBe('REJECTED_STATE');
        expect(ack.state).toBe(state);
        expect(sut.sim.state).toBe(state);
      }
    } finally {
      sut.close();
    }
  });
});
