import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { invalidFields } from '../../common/field-errors';
import { UnitOfWork } from '../../database/unit-of-work';
import { CdsFeedbackRecord } from './cds-feedback.entity';
import type { CdsFeedbackItem, CdsFeedbackRequest } from './cds-hooks.schema';
import type { CdsCaller } from './cds-jwt';
import { type IssuedCard, IssuedCards } from './issued-cards';

type Refusal = { field: string; detail: string };

function refusalsOf(item: CdsFeedbackItem, at: string, card: IssuedCard | undefined, serviceId: string): Refusal[] {
  if (!card) {
    return [{ field: `${at}.card`, detail: 'is not a card this service gave this EHR' }];
  }
  if (card.serviceId !== serviceId) {
    return [
      {
        field: `${at}.card`,
        detail: `was given by the service ${card.serviceId}; send its feedback to /cds-services/${card.serviceId}/feedback`,
      },
    ];
  }
  const refusals = (item.acceptedSuggestions ?? [])
    .map((suggestion, i) => ({ suggestion, i }))
    .filter(({ suggestion }) => !card.suggestions.includes(suggestion.id.toLowerCase()))
    .map(({ i }) => ({ field: `${at}.acceptedSuggestions.${i}.id`, detail: 'is not a suggestion of this card' }));
  const reason = item.overrideReason?.reason;
  if (
    reason &&
    !card.overrideReasons.some(
      (offered) => offered.code === reason.code && (reason.system === undefined || reason.system === offered.system),
    )
  ) {
    refusals.push({
      field: `${at}.overrideReason.reason`,
      detail: 'is not one of the override reasons the card offered',
    });
  }
  return refusals;
}

/**
 * Stores what clinicians did with the cards (CDS Hooks feedback), one record per rule behind each
 * card. EHRs may send the same feedback again: a record already stored is left as it is. Feedback
 * with any refused item stores nothing.
 */
@Injectable()
export class CdsFeedback {
  constructor(
    private readonly issued: IssuedCards,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** Stores the feedback; answers the patients of the cards it was about, for the audit trail. */
  async store(caller: CdsCaller, serviceId: string, request: CdsFeedbackRequest): Promise<string[]> {
    const cards = await this.issued.find(
      caller.issuer,
      request.feedback.map((item) => item.card.toLowerCase()),
    );
    const refusals = request.feedback.flatMap((item, i) =>
      refusalsOf(item, `feedback.${i}`, cards.get(item.card.toLowerCase()), serviceId),
    );
    if (refusals.length > 0) {
      throw invalidFields('body', refusals);
    }
    const receivedAt = this.clock.now();
    const records = request.feedback.flatMap((item) => {
      const card = cards.get(item.card.toLowerCase())!;
      // A card that rests on no rule (EHR data that could not be read) is stored under the empty rule id.
      const rules = card.basis.rules.length > 0 ? card.basis.rules : [{ ruleId: '', version: 0 }];
      return rules.map((rule): CdsFeedbackRecord => ({
        issuer: caller.issuer,
        cardUuid: item.card.toLowerCase(),
        outcome: item.outcome,
        outcomeAt: new Date(item.outcomeTimestamp),
        ruleId: rule.ruleId,
        ruleVersion: rule.version,
        rulesetVersion: card.basis.rulesetVersion,
        serviceId,
        acceptedSuggestions: item.acceptedSuggestions
          ? JSON.stringify(item.acceptedSuggestions.map((s) => s.id.toLowerCase()))
          : null,
        overrideSystem: item.overrideReason?.reason?.system ?? null,
        overrideCode: item.overrideReason?.reason?.code ?? null,
        overrideComment: item.overrideReason?.userComment ?? null,
        receivedAt,
      }));
    });
    const patients = [...new Set([...cards.values()].flatMap((card) => (card.patient ? [card.patient] : [])))];
    await this.unitOfWork.run(
      (manager) => manager.createQueryBuilder().insert().into(CdsFeedbackRecord).values(records).orIgnore().execute(),
      {
        resourceId: patients.length > 0 ? patients.join(' ') : null,
      },
    );
    return patients;
  }
}
