import { z } from 'zod';

/** The running injuries and operations bfr-rx prescribes for; the selection rules map each to phases. */
export const CONDITIONS = {
  'patellofemoral-pain': { label: 'Patellofemoral pain', surgical: false },
  'itb-syndrome': { label: 'Iliotibial band syndrome', surgical: false },
  'achilles-tendinopathy': { label: 'Achilles tendinopathy (mid-portion)', surgical: false },
  'achilles-rupture-conservative': { label: 'Achilles tendon rupture, treated without surgery', surgical: false },
  'achilles-rupture-surgical': { label: 'Achilles tendon rupture, surgically repaired', surgical: true },
  'medial-tibial-stress-syndrome': { label: 'Medial tibial stress syndrome (shin splints)', surgical: false },
  'plantar-fasciopathy': { label: 'Plantar fasciopathy', surgical: false },
  'bone-stress-injury-low-risk': {
    label: 'Bone stress injury at a low-risk site (posterior tibia, metatarsal shaft)',
    surgical: false,
  },
  'bone-stress-injury-high-risk': {
    label: 'Bone stress injury at a high-risk site (femoral neck, anterior tibial cortex, navicular, 5th metatarsal)',
    surgical: false,
  },
  'acl-reconstruction': { label: 'Anterior cruciate ligament reconstruction', surgical: true },
  'meniscus-cartilage-repair': { label: 'Meniscus or cartilage repair', surgical: true },
  'knee-arthroscopy': { label: 'Knee arthroscopy (other than a repair)', surgical: true },
  'hamstring-strain': { label: 'Hamstring strain', surgical: false },
  'return-to-running': { label: 'Return to running after time off', surgical: false },
} as const;

export type Condition = keyof typeof CONDITIONS;
export const Condition = z.enum(Object.keys(CONDITIONS) as [Condition, ...Condition[]]);

export const WeightBearing = z.enum(['non-weight-bearing', 'partial', 'full']);
export type WeightBearing = z.infer<typeof WeightBearing>;

/** The four-stage progressive model (Loenneke 2013 via Bielitzki 2021), in order. */
export const Stage = z.enum(['passive', 'aerobic', 'low-load-resistance', 'mixed-high-load']);
export type Stage = z.infer<typeof Stage>;

/** How strong the evidence for BFR in this condition is, best first. */
export const EvidenceGrade = z.enum(['rct', 'pilot', 'case-series', 'protocol-only', 'extrapolated']);
export type EvidenceGrade = z.infer<typeof EvidenceGrade>;

export const Goal = z.enum(['strength', 'muscle-maintenance', 'pain-relief', 'aerobic-fitness', 'return-to-running']);
export type Goal = z.infer<typeof Goal>;

export const BodyPosition = z.enum(['supine', 'seated', 'standing']);
export type BodyPosition = z.infer<typeof BodyPosition>;

export const Modality = z.enum(['resistance', 'aerobic', 'passive']);
export type Modality = z.infer<typeof Modality>;

/** How an LOP was measured; decides how far it can be trusted. */
export const LopMethod = z.enum([
  'doppler',
  'automatic-cuff',
  'handheld-oximeter',
  'pulse-oximeter',
  'home-pulse-oximeter',
]);
export type LopMethod = z.infer<typeof LopMethod>;

export const Equipment = z.enum([
  'leg-press',
  'knee-extension-machine',
  'hamstring-curl-machine',
  'calf-raise-machine',
  'cable-machine',
  'resistance-band',
  'dumbbells',
  'step',
  'mat',
  'treadmill',
  'stationary-bike',
]);
export type Equipment = z.infer<typeof Equipment>;
