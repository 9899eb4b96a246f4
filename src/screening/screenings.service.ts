import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError, ErrorCode } from '../common/problem';
import { UnitOfWork } from '../database/unit-of-work';
import { RuleCatalogue } from '../rules/catalogue';
import { screenPatient } from './screen-patient';
import { ScreeningRecord } from './screening-record.entity';
import type { Screening, ScreeningOutcome, ScreeningRequest } from './screening.schema';

function screeningOf(record: ScreeningRecord, outcome: ScreeningOutcome): Screening {
  return {
    id: record.id,
    patientRef: record.patientRef,
    screenedAt: record.screenedAt.toISOString(),
    screenedBy: record.screenedBy,
    ...outcome,
  };
}

const toScreening = (record: ScreeningRecord) => screeningOf(record, JSON.parse(record.outcome) as ScreeningOutcome);

@Injectable()
export class ScreeningsService {
  constructor(
    private readonly catalogue: RuleCatalogue,
    @InjectRepository(ScreeningRecord) private readonly screenings: Repository<ScreeningRecord>,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Screens the patient on today's date without storing anything: a verdict shown while the form is filled in. */
  evaluate(request: ScreeningRequest): Promise<ScreeningOutcome> {
    return screenPatient(this.catalogue, request, this.clock.now().toISOString().slice(0, 10));
  }

  /** Screens the patient on today's date and stores the request and outcome with the ruleset version. */
  async screen(request: ScreeningRequest, principal: Principal): Promise<Screening> {
    const now = this.clock.now();
    const outcome = await screenPatient(this.catalogue, request, now.toISOString().slice(0, 10));
    const record: ScreeningRecord = {
      id: randomUUID(),
      tenant: principal.tenant,
      patientRef: request.patient.ref,
      screenedBy: principal.subject,
      screenedAt: now,
      rulesetVersion: outcome.rulesetVersion,
      verdict: outcome.verdict,
      request: JSON.stringify(request),
      outcome: JSON.stringify(outcome),
    };
    await this.unitOfWork.insert(ScreeningRecord, [record], { resourceId: record.id });
    // The outcome in hand serialises as its stored JSON: no need to parse that back.
    return screeningOf(record, outcome);
  }

  /** A screening of the caller's organization; another organization's is answered as unknown, so its existence is not revealed. */
  async find(id: string, principal: Principal): Promise<Screening> {
    const record = await this.screenings.findOneBy({ id });
    if (!record || record.tenant !== principal.tenant) {
      throw new DomainError(ErrorCode.ScreeningNotFound, `No screening with id ${id}.`);
    }
    return toScreening(record);
  }
}
