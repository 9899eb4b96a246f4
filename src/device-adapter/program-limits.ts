import { blockOcclusionS, type CuffProgram, expectedTargetMmHg } from './cuff-program';
import { DEVICE_LIMITS } from './device-limits';

export interface ProgramLimitBreach {
  /** Where in the program, as a JSON path ("blocks.2.targetPct"). */
  path: string;
  /** The safety requirement broken. */
  requirement: 'SR-1' | 'SR-2' | 'SR-4' | 'SR-5' | 'SR-6' | 'SR-8';
  message: string;
}

/**
 * Every way a structurally valid program breaks the cuff's hard limits or its own; an empty list
 * means the cuff may load it. The cuff refuses a program with any breach (REJECTED_LIMIT).
 */
export function programLimitBreaches(program: CuffProgram): ProgramLimitBreach[] {
  const breaches: ProgramLimitBreach[] = [];
  const breach: Breach = (path, requirement, message) => breaches.push({ path, requirement, message });
  ownLimitBreaches(program.limits, breach);
  blockBreaches(program, breach);
  return breaches;
}

type Breach = (path: string, requirement: ProgramLimitBreach['requirement'], message: string) => void;

/** The program's own limits against the cuff's. */
function ownLimitBreaches(limits: CuffProgram['limits'], breach: Breach): void {
  if (limits.ceilingMmHg > DEVICE_LIMITS.maxSetPointMmHg) {
    breach(
      'limits.ceilingMmHg',
      'SR-1',
      `ceiling ${limits.ceilingMmHg} mmHg is above the cuff's ${DEVICE_LIMITS.maxSetPointMmHg} mmHg`,
    );
  }
  if (limits.tripMmHg > DEVICE_LIMITS.tripMmHg) {
    breach(
      'limits.tripMmHg',
      'SR-1',
      `trip ${limits.tripMmHg} mmHg is above the cuff's ${DEVICE_LIMITS.tripMmHg} mmHg`,
    );
  }
  if (limits.tripMmHg <= limits.ceilingMmHg) {
    breach(
      'limits.tripMmHg',
      'SR-1',
      `trip ${limits.tripMmHg} mmHg must be above the ceiling ${limits.ceilingMmHg} mmHg`,
    );
  }
  if (limits.maxBlockInflationS > DEVICE_LIMITS.maxBlockInflationS) {
    breach(
      'limits.maxBlockInflationS',
      'SR-4',
      `block limit ${limits.maxBlockInflationS} s is above the cuff's ${DEVICE_LIMITS.maxBlockInflationS} s`,
    );
  }
  if (limits.minReperfusionS < DEVICE_LIMITS.minReperfusionS) {
    breach(
      'limits.minReperfusionS',
      'SR-5',
      `reperfusion limit ${limits.minReperfusionS} s is below the cuff's ${DEVICE_LIMITS.minReperfusionS} s`,
    );
  }
  if (limits.maxSessionInflationS > DEVICE_LIMITS.maxSessionInflationS) {
    breach(
      'limits.maxSessionInflationS',
      'SR-6',
      `session limit ${limits.maxSessionInflationS} s is above the cuff's ${DEVICE_LIMITS.maxSessionInflationS} s`,
    );
  }
  if (limits.windowMmHg > DEVICE_LIMITS.windowMmHg) {
    breach(
      'limits.windowMmHg',
      'SR-8',
      `alarm window ${limits.windowMmHg} mmHg is wider than the cuff's ${DEVICE_LIMITS.windowMmHg} mmHg`,
    );
  }
}

/** Each block, and each channel's blocks together, against the tighter of the program's and the cuff's limits. */
function blockBreaches(program: CuffProgram, breach: Breach): void {
  const { limits } = program;
  const ceiling = Math.min(limits.ceilingMmHg, DEVICE_LIMITS.maxSetPointMmHg);
  const blockLimit = Math.min(limits.maxBlockInflationS, DEVICE_LIMITS.maxBlockInflationS);
  const reperfusionLimit = Math.max(limits.minReperfusionS, DEVICE_LIMITS.minReperfusionS);
  const perChannel = new Map<string, { occlusionS: number; blocks: number }>();

  program.blocks.forEach((block, i) => {
    const at = `blocks.${i}`;
    if (block.targetPct > DEVICE_LIMITS.maxLopPercent) {
      breach(`${at}.targetPct`, 'SR-2', `target ${block.targetPct} % LOP is above ${DEVICE_LIMITS.maxLopPercent} %`);
    }
    if (block.targetMmHg > ceiling) {
      breach(`${at}.targetMmHg`, 'SR-1', `target ${block.targetMmHg} mmHg is above the ceiling ${ceiling} mmHg`);
    }
    const expected = expectedTargetMmHg(program, block);
    if (expected !== null && Math.abs(expected - block.targetMmHg) > DEVICE_LIMITS.targetToleranceMmHg) {
      breach(
        `${at}.targetMmHg`,
        'SR-2',
        `target ${block.targetMmHg} mmHg disagrees with ${block.targetPct} % of the LOP (${expected} mmHg)`,
      );
    }
    const occlusionS = blockOcclusionS(block);
    if (occlusionS > blockLimit) {
      breach(`${at}.sets`, 'SR-4', `block occludes for ${occlusionS} s, more than ${blockLimit} s`);
    }
    if (i < program.blocks.length - 1 && block.reperfusionS < reperfusionLimit) {
      breach(
        `${at}.reperfusionS`,
        'SR-5',
        `reperfusion ${block.reperfusionS} s before the next block is shorter than ${reperfusionLimit} s`,
      );
    }
    const channel = perChannel.get(block.channel) ?? { occlusionS: 0, blocks: 0 };
    channel.occlusionS += occlusionS;
    channel.blocks += 1;
    perChannel.set(block.channel, channel);
  });

  const sessionLimit = Math.min(limits.maxSessionInflationS, DEVICE_LIMITS.maxSessionInflationS);
  for (const [channel, total] of perChannel) {
    if (total.occlusionS > sessionLimit) {
      breach(
        'blocks',
        'SR-6',
        `channel ${channel} occludes for ${total.occlusionS} s in the session, more than ${sessionLimit} s`,
      );
    }
    if (total.blocks > DEVICE_LIMITS.maxBlocksPerLimb) {
      breach(
        'blocks',
        'SR-6',
        `channel ${channel} has ${total.blocks} blocks, more than ${DEVICE_LIMITS.maxBlocksPerLimb}`,
      );
    }
  }
}
