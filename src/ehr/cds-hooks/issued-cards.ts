import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';

import { Clock } from '../../common/clock';
import { UnitOfWork } from '../../database/unit-of-work';
import { CdsCardRecord } from './cds-card.entity';
import type { CdsCard, CdsCoding } from './cds-hooks.schema';
import type { CdsCaller } from './cds-jwt';

/** The rules a card rests on, with the rule set version they ran in. */
export interface CardBasis {
  rules: Array<{ ruleId: string; version: number }>;
  rulesetVersion: string;
}

/** A card and what it rests on; every card rests on at least one rule. */
export interface ExplainedCard {
  card: CdsCard;
  basis: CardBasis;
}

export interface IssuedCard {
  serviceId: string;
  /** `Patient/{id}` in the EHR, for the audit trail; null on cards given before it was kept. */
  patient: string | null;
  basis: CardBasis;
  suggestions: string[];
  overrideReasons: CdsCoding[];
}

/** Keeps the cards given to each EHR, so that its feedback can be checked and stored against the rules behind them. */
@Injectable()
export class IssuedCards {
  constructor(
    @InjectRepository(CdsCardRecord) private readonly cards: Repository<CdsCardRecord>,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async record(
    caller: CdsCaller,
    call: { serviceId: string; hookInstance: string; patient: string },
    cards: ExplainedCard[],
  ): Promise<void> {
    if (cards.length === 0) {
      return;
    }
    const issuedAt = this.clock.now();
    const records: CdsCardRecord[] = cards.map(({ card, basis }) => ({
      uuid: card.uuid,
      issuer: caller.issuer,
      serviceId: call.serviceId,
      hookInstance: call.hookInstance,
      indicator: card.indicator,
      patient: call.patient,
      rulesetVersion: basis.rulesetVersion,
      rules: JSON.stringify(basis.rules),
      suggestions: JSON.stringify((card.suggestions ?? []).map((s) => s.uuid)),
      overrideReasons: JSON.stringify(card.overrideReasons ?? []),
      issuedAt,
    }));
    await this.unitOfWork.insert(CdsCardRecord, records);
  }

  /** The cards with these uuids that were given to this EHR; another EHR's cards are not found. */
  async find(issuer: string, uuids: string[]): Promise<Map<string, IssuedCard>> {
    const records = await this.cards.findBy({ issuer, uuid: In([...new Set(uuids)]) });
    return new Map(
      records.map((record) => [
        record.uuid,
        {
          serviceId: record.serviceId,
          patient: record.patient,
          basis: { rules: JSON.parse(record.rules), rulesetVersion: record.rulesetVersion },
          suggestions: JSON.parse(record.suggestions),
          overrideReasons: JSON.parse(record.overrideReasons),
        },
      ]),
    );
  }
}
