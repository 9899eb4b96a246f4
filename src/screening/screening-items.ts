/**
 * The screening questionnaire: every item a clinician answers yes, no or unknown, with the question
 * as it is asked. Which answers block, refer or caution, and which items must be answered, is
 * decided by the rules in rules-data/, not here.
 */
export const PATIENT_ITEMS = {
  vteHistory: 'Has the patient ever had a deep-vein thrombosis (DVT) or a pulmonary embolism (PE)?',
  clottingDisorder: 'Does the patient have a known clotting disorder (thrombophilia, haemophilia)?',
  pregnant: 'Is the patient pregnant?',
  postpartum: 'Has the patient given birth recently (postpartum)?',
  sickleCell: 'Does the patient have sickle cell disease?',
  acidosis: 'Does the patient have metabolic acidosis?',
  openFractureOrCrushInjury: 'Does the patient have an open fracture or a severe crush injury of a limb?',
  acuteIllness: 'Is the patient acutely ill or feverish today?',
  peripheralArteryDisease: 'Does the patient have peripheral artery disease?',
  acuteCardiacEvent: 'Recent heart attack, unstable angina, myocarditis, endocarditis or pericarditis?',
  heartFailure: 'Heart failure (NYHA class III-IV) or cardiomyopathy with an ejection fraction below 30 %?',
  ventricularArrhythmia: 'Uncontrolled or complex ventricular arrhythmia, or a past cardiac arrest?',
  atrialFibrillation: 'Atrial fibrillation?',
  coronaryArteryDisease: 'Coronary artery disease, or a past stent or bypass?',
  aorticDisease: 'Aortic aneurysm or other aortic disease?',
  congenitalHeartDisease: 'Congenital heart disease?',
  posturalHypotension: 'Dizziness or fainting on standing up (a drop of 20 mmHg or more with symptoms)?',
  lowExerciseCapacity: 'Unable to manage moderate exertion such as brisk walking uphill (below 6 METs)?',
  cancer: 'Cancer that is active or was treated in the last 2 years?',
  anticoagulants: 'Taking anticoagulant medication?',
  diabetes: 'Diabetes that is not well controlled?',
  kidneyDisease: 'Chronic kidney disease?',
  rheumatoidArthritis: 'Rheumatoid arthritis?',
  postCovid: 'Recent COVID-19 or lasting post-COVID symptoms?',
  oestrogenTherapy: 'Taking an oestrogen-containing contraceptive or hormone therapy?',
  anabolicSteroids: 'Using anabolic steroids or other performance-enhancing drugs?',
  smoking: 'Does the patient smoke?',
  varicoseVeins: 'Varicose veins?',
  hyperlipidaemia: 'High cholesterol?',
  prolongedInactivity: 'Bed rest or immobilisation (cast, brace, long travel) in the last weeks?',
  raisedIntracranialPressure: 'Raised intracranial pressure (recent head injury, shunt)?',
  recentSurgery: 'Surgery in the last 3 months? (give the date)',
  surgeonApprovedBfr: "Has the surgeon's protocol approved BFR for this patient?",
} as const;

export type PatientItem = keyof typeof PATIENT_ITEMS;

/**
 * Items that do not apply to a male patient: the rules do not ask them of one and the questionnaire
 * hides them. Oestrogen therapy stays: men receive oestrogen too, and no source limits it by sex.
 */
export const NOT_ASKED_OF_MALE_PATIENTS: readonly PatientItem[] = ['pregnant', 'postpartum'];

/** What is checked at each planned cuff site. */
export const LIMB_ITEMS = {
  wound: 'An open wound or poorly healing skin under or near the cuff?',
  infection: 'An infection in this limb?',
  skinGraft: 'A skin graft at the cuff site?',
  incision: 'A fresh surgical incision under the cuff?',
  avFistula: 'A dialysis access (AV fistula) in this limb?',
  lymphoedema: 'Lymphoedema of this limb?',
  axillaryClearance: 'Mastectomy or axillary lymph-node clearance on this side (arm cuffs)?',
  excessiveSwelling: 'Excessive swelling of this limb after surgery or injury?',
  vascularGraft: 'A vascular graft or previous revascularisation in this limb?',
} as const;

export type LimbItem = keyof typeof LIMB_ITEMS;
