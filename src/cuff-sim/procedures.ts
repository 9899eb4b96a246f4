import type { Channel, Posture } from '../device-adapter/cuff-program';
import { SIM_STEP_MS } from './cuff-physics';
import type { Deflation } from './deflation';
import type { FirmwareState } from './firmware-state';
import { LopSearch } from './lop-search';
import { SelfTest } from './self-test';
import { Zeroing } from './zeroing';

/** The cuff's own procedures outside a program: the self-test (SR-14) and the LOP measurement. */
export class Procedures {
  constructor(
    private readonly firmware: FirmwareState,
    private readonly deflation: Deflation,
  ) {}

  startSelfTest(now: number): void {
    this.firmware.procedure = { kind: 'self-test', test: new SelfTest(now) };
    this.firmware.enter('SELF_TEST', now);
  }

  startLop(channel: Channel, posture: Posture, now: number): void {
    this.firmware.procedure = {
      kind: 'lop',
      phase: 'zero',
      zero: new Zeroing(now),
      search: new LopSearch(channel, posture, now, SIM_STEP_MS),
    };
    this.firmware.enter('MEASURING_LOP', now);
  }

  selfTestStep(at: number, raw: Map<Channel, number>): void {
    const firmware = this.firmware;
    if (firmware.procedure?.kind !== 'self-test') {
      return;
    }
    const outcome = firmware.procedure.test.step(at, firmware.units, raw);
    if (outcome) {
      firmware.procedure = null;
      firmware.emit({ kind: outcome.passed ? 'SELF_TEST_PASSED' : 'SELF_TEST_FAILED', detail: outcome.detail }, at);
      firmware.enter(outcome.passed ? 'READY' : 'FAULT', at);
    }
  }

  lopStep(at: number, raw: Map<Channel, number>): void {
    const measure = this.firmware.procedure;
    if (measure?.kind !== 'lop') {
      return;
    }
    const unit = this.firmware.unit(measure.search.channel);
    this.firmware.units.filter((other) => other !== unit).forEach((other) => other.openValves());
    if (measure.phase === 'zero') {
      unit.openValves();
      const zeroing = measure.zero.step(at, new Map([[unit.channel, raw.get(unit.channel) as number]]));
      if (zeroing === 'done') {
        unit.zeroAt(measure.zero.zeroOf(unit.channel));
        measure.phase = 'search';
      } else if (zeroing === 'failed') {
        this.finishLop({ ...measure.search.aborted(), reason: 'TIMEOUT' }, at);
      }
      return;
    }
    unit.cuff.dumpOpen = false;
    unit.cuff.bleedOpen = false;
    const outcome = measure.search.step(at, unit.last);
    if ('pump' in outcome) {
      unit.cuff.pumpOn = outcome.pump;
    } else {
      this.finishLop(outcome.result, at);
    }
  }

  private finishLop(result: ReturnType<LopSearch['aborted']>, at: number): void {
    this.firmware.emit({ kind: 'LOP_MEASURED', lop: { ...result, measuredAt: this.firmware.deviceTime(at) } }, at);
    this.firmware.procedure = null;
    this.deflation.deflate('READY', at);
  }
}
