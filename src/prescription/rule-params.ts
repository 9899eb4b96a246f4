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

/** Reads the values the dosing rules set for one exercise of `modality` as that modality's dose. */
export const doseSettingsOf = (modality: Modality, values: Record<string, unknown>): DoseSettings =>
  DoseSettings.parse({ modality, ...values });
