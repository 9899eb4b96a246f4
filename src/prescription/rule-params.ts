import { z } from 'zod';

import { Modality } from './indication';
import { DoseValues, LopFindingParams, PhaseParams, RuleWarning, StopParams } from './prescription.rulesets';

/** A fired rule or a rule definition: anything with an event. */
type WithParams = { event: { params?: unknown } };

/**
 * Rule event parameters read as typed values. The loader has already checked every event against
 * its ruleset's schema; reading them through the same schemas keeps the plan free of casts.
 */
export const phaseParamsOf = (fired: WithParams): PhaseParams => PhaseParams.parse(fired.event.params);

export const lopFindingParamsOf = (fired: WithParams) => LopFindingParams.parse(fired.event.params);

export const stopParamsOf = (fired: WithParams) => StopParams.parse(fired.event.params);

export const warningOf = (fired: WithParams): RuleWarning => RuleWarning.parse(fired.event.params);

/** The warning a dosing or schedule rule may attach beside what it sets; most set without one, so only a warning is read. */
export function attachedWarningOf({ event: { params } }: WithParams): RuleWarning | undefined {
  return typeof params === 'object' && params !== null && 'warning' in params
    ? RuleWarning.parse(params.warning)
    : undefined;
}

const pressure = DoseValues.pick({
  lopPercent: true,
  startLopPercent: true,
  rampStepLopPercent: true,
  reperfusionSeconds: true,
  maxContinuousMinutes: true,
}).shape;

/** The dose values each modality is given: every modality has its pressure, reperfusion and inflation limit. */
export const DoseSettings = z.discriminatedUnion('modality', [
  z.strictObject({
    modality: z.literal(Modality.enum.resistance),
    ...pressure,
    ...DoseValues.pick({ loadPercent1RM: true, setScheme: true, restBetweenSetsSeconds: true, tempo: true }).shape,
  }),
  z.strictObject({
    modality: z.literal(Modality.enum.aerobic),
    ...pressure,
    ...DoseValues.pick({ bouts: true, intensity: true }).shape,
  }),
  z.strictObject({
    modality: z.literal(Modality.enum.passive),
    ...pressure,
    ...DoseValues.pick({ bouts: true }).shape,
  }),
]);
export type DoseSettings = z.infer<typeof DoseSettings>;

/** Doses already read, by what they were read from; beyond this many, each is read again. */
const REMEMBERED_DOSES = 4_096;
const rememberedDoses = new Map<string, DoseSettings>();
const valueIds = new WeakMap<object, number>();
let nextValueId = 0;

/**
 * What a dose is read from, exactly: the modality, then each value in order, a list or object by
 * its identity (they are the rules' own values, loaded once), any other value by type and value.
 */
function doseKey(modality: Modality, values: Record<string, unknown>): string {
  let key = modality;
  for (const name in values) {
    const value = values[name];
    let part: string;
    if (value !== null && typeof value === 'object') {
      let id = valueIds.get(value);
      if (id === undefined) {
        id = nextValueId++;
        valueIds.set(value, id);
      }
      part = `#${id}`;
    } else {
      part = Object.is(value, -0) ? 'number:-0' : `${typeof value}:${String(value)}`;
    }
    key += `|${name}=${part}`;
  }
  return key;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the values the dosing rules set for one exercise of `modality` as that modality's dose.
 * The same rules give the same values for most exercises of most plans, and reading them through
 * the schema costs more than the rest of the dose, so a dose read once is remembered and shared,
 * frozen so that no plan can change another's.
 */
export function doseSettingsOf(modality: Modality, values: Record<string, unknown>): DoseSettings {
  const key = doseKey(modality, values);
  const remembered = rememberedDoses.get(key);
  if (remembered !== undefined) {
    return remembered;
  }
  const dose = DoseSettings.parse({ modality, ...values });
  if (rememberedDoses.size < REMEMBERED_DOSES) {
    rememberedDoses.set(key, deepFreeze(dose));
  }
  return dose;
}
