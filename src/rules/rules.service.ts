import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { Clock } from '../common/clock';
import { DomainError, ErrorCode } from '../common/problem';
import { RuleCatalogue } from './catalogue';
import type { RuleDefinition } from './rule-file.schema';
import type {
  EvaluationRequest,
  EvaluationResponse,
  RuleCatalogueResponse,
  RuleDetailResponse,
  RuleSummary,
} from './rules.schema';
import { canonicalJson } from '../common/canonical-json';
import { RulesetVersionRecord } from './ruleset-version.entity';

function summarise(ruleset: string, rule: RuleDefinition): RuleSummary {
  return {
    id: rule.id,
    version: rule.version,
    ruleset,
    title: rule.title,
    rationale: rule.rationale,
    evidence: rule.evidence,
    outcome: rule.event,
  };
}

@Injectable()
export class RulesService implements OnApplicationBootstrap {
  constructor(
    private readonly catalogue: RuleCatalogue,
    @InjectRepository(RulesetVersionRecord) private readonly versions: Repository<RulesetVersionRecord>,
    private readonly clock: Clock,
  ) {}

  /** Keeps the content of every version that ever ran; replicas starting together insert it once. */
  async onApplicationBootstrap(): Promise<void> {
    await this.versions
      .createQueryBuilder()
      .insert()
      .values({
        version: this.catalogue.version,
        ruleCount: this.catalogue.allRules().length,
        content: canonicalJson(this.catalogue.content),
        firstLoadedAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
  }

  listRules(ruleset?: string): RuleCatalogueResponse {
    const names = this.catalogue.rulesetNames.filter((name) => ruleset === undefined || name === ruleset);
    return {
      rulesetVersion: this.catalogue.version,
      rulesets: names.map((name) => {
        const loaded = this.catalogue.ruleset(name)!;
        return { name, title: loaded.title, description: loaded.description, ruleCount: loaded.rules.length };
      }),
      rules: names.flatMap((name) => this.catalogue.ruleset(name)!.rules.map((rule) => summarise(name, rule))),
    };
  }

  describeRule(id: string): RuleDetailResponse {
    const found = this.catalogue.rule(id);
    if (!found) {
      throw new DomainError(
        ErrorCode.RuleNotFound,
        `No rule with id "${id}" in ruleset version ${this.catalogue.version.slice(0, 12)}.`,
      );
    }
    return {
      ...summarise(found.ruleset, found.rule),
      rulesetVersion: this.catalogue.version,
      priority: found.rule.priority ?? 1,
      conditions: found.rule.conditions,
    };
  }

  async evaluate(request: EvaluationRequest): Promise<EvaluationResponse> {
    const evaluation = this.catalogue.evaluate(request.ruleset, request.facts);
    return {
      ruleset: evaluation.ruleset,
      rulesetVersion: evaluation.rulesetVersion,
      fired: evaluation.fired.map(({ rule, event }) => ({
        ruleId: rule.id,
        version: rule.version,
        title: rule.title,
        outcome: event,
        evidence: rule.evidence,
      })),
      trace: evaluation.trace,
    };
  }
}
