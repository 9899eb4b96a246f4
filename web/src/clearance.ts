/**
 * A medical clearance as the clinician records it: which findings it covers (their rule ids),
 * who gave it, when, and a note. The request shape lives in `clearanceForRequest` alone.
 */
export interface ClearanceDraft {
  findings: string[];
  by: string;
  on: string;
  note: string;
}

export function emptyClearance(): ClearanceDraft {
  return { findings: [], by: '', on: '', note: '' };
}

/** The request's `clearances`: this one clearance with the findings it names, or none when it names none. */
export function clearanceForRequest(
  draft: ClearanceDraft,
): Array<{ findings: string[]; by: string; on: string; note: string }> | undefined {
  if (draft.findings.length === 0) {
    return undefined;
  }
  return [{ findings: draft.findings, by: draft.by.trim(), on: draft.on, note: draft.note.trim() }];
}
