import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { DomainError, ErrorCode } from '../common/problem';
import { RulesetVersions } from '../rules/ruleset-versions.service';
import { generatePlan, type PlanTrace } from './generate-plan';
import type { PrescriptionRecord } from './prescription-record.entity';

const sha256Of = (json: string) => createHash('sha256').update(json).digest('hex');

/** The hash stored with a plan in place of its trace: of the trace's JSON as it used to be stored. */
export function traceSha256(trace: PlanTrace): string {
  return sha256Of(JSON.stringify(trace));
}

/**
 * The rule trace of a stored plan, made again from its request, day and ruleset version: a plan is
 * deterministic, so a draft's trace need not be stored, only its hash. A trace that does not hash
 * the same (the code that makes plans changed since, or a stored field did) is never answered, and
 * such a draft cannot be approved: a revision makes it again. Approving stores the trace.
 */
@Injectable()
export class PlanTraces {
  constructor(private readonly versions: RulesetVersions) {}

  /**
   * The trace's JSON as stored (plans stored before `traceSha256`, and approved plans, whose trace
   * was checked against the hash when they were signed), or as rebuilt and checked against the hash.
   */
  async traceOf(record: PrescriptionRecord): Promise<string> {
    if (record.traceSha256 === null || record.trace !== '') {
      return record.trace;
    }
    const catalogue = await this.versions.catalogueOf(record.rulesetVersion);
    const rebuilt = catalogue
      ? await generatePlan(catalogue, JSON.parse(record.request), record.generatedOn).then(
          ({ trace }) => trace,
          () => undefined,
        )
      : undefined;
    const json = rebuilt === undefined ? undefined : JSON.stringify(rebuilt);
    if (json === undefined || sha256Of(json) !== record.traceSha256) {
      throw new DomainError(
        ErrorCode.TraceNotReproducible,
        `The rule trace of plan ${record.id} cannot be made again as it was: ruleset version ${record.rulesetVersion.slice(0, 12)} ${catalogue ? 'now gives another trace for its request' : 'cannot be loaded'}.`,
      );
    }
    return json;
  }
}
