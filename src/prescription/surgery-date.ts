import type { ScreeningRequest } from '../screening/screening.schema';
import { CONDITIONS } from './indication';
import type { PrescriptionRequest } from './prescription-request.schema';

/**
 * The screening request behind a plan, with one surgery date: for a surgically treated condition
 * the indication's operation is the recent surgery that the 7-day rule, the VTE points and the
 * surgeon's approval read (the request schema refuses a top-level date or answer that disagrees).
 */
export function screeningRequestOf(request: PrescriptionRequest): {
  request: ScreeningRequest;
  surgicalIndication: boolean;
} {
  const { indication } = request;
  if (!CONDITIONS[indication.condition].surgical) {
    return { request, surgicalIndication: false };
  }
  return {
    request: { ...request, answers: { ...request.answers, recentSurgery: 'yes' }, surgeryDate: indication.surgeryDate },
    surgicalIndication: true,
  };
}
