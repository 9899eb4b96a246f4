import type { FiredRule } from '../rules/catalogue';
import type { ScreeningOutcome } from '../screening/screening.schema';
import type { LopResolution } from './lop-for';
import type { PlanCaution, PlanWarning } from './plan.schema';
import type { RuleWarning } from './prescription.rulesets';

type Site = { limb: string; side: string };

export const siteName = (site: Site) => `${site.side} ${site.limb}`;
export const siteKey = (site: Site) => `${site.side}-${site.limb}`;

/** A rule's warning as a plan caution (to be acknowledged) or an informative warning. */
export function warningFrom(
  fired: FiredRule,
  warning: RuleWarning,
  source: PlanCaution['source'],
  site: PlanCaution['site'],
): PlanCaution | PlanWarning {
  const common = {
    source,
    ruleId: fired.rule.id,
    title: fired.rule.title,
    message: warning.clinicianMessage,
    patientMessage: warning.patientMessage ?? null,
    site,
    evidence: fired.rule.evidence,
  };
  return warning.severity === 'caution'
    ? { id: site ? `${fired.rule.id}:${siteKey(site)}` : fired.rule.id, ...common }
    : { ...common, severity: 'info' };
}

/** The screening's cautions and cleared referrals, carried into the plan. */
export function screeningCautions(screening: ScreeningOutcome): PlanCaution[] {
  return screening.findings
    .filter((f) => f.verdict === 'caution' || f.cleared)
    .map((f) => ({
      id: f.site ? `${f.ruleId}:${siteKey(f.site)}` : f.ruleId,
      source: 'screening' as const,
      ruleId: f.ruleId,
      title: f.title,
      // A cleared referral's own patient message asks for an approval that has been given; the handout tells the clearance instead.
      message: f.clearance
        ? `${f.clinicianMessage} Cleared by ${f.clearance.by} on ${f.clearance.on}: ${f.clearance.note}`
        : f.clinicianMessage,
      patientMessage: f.cleared ? null : f.patientMessage,
      site: f.site,
      evidence: f.evidence,
    }));
}

/** The findings of the LOP rules about an LOP the plan uses. */
export function lopNotices(resolution: LopResolution): Array<PlanCaution | PlanWarning> {
  return resolution.findings.map((finding) => {
    const base = {
      source: 'lop' as const,
      ruleId: finding.rule.ruleId,
      title: finding.rule.title,
      message: finding.clinicianMessage,
      patientMessage: finding.patientMessage,
      site: resolution.site,
      evidence: finding.rule.evidence,
    };
    return finding.action === 'caution'
      ? { id: `${finding.rule.ruleId}:${siteKey(resolution.site)}`, ...base }
      : { ...base, severity: 'warning' as const };
  });
}

/** Adds a caution or warning once: the same rule at the same site is said once. */
export class Notices {
  readonly cautions: PlanCaution[] = [];
  readonly warnings: PlanWarning[] = [];

  add(notice: PlanCaution | PlanWarning): void {
    if ('id' in notice) {
      if (!this.cautions.some((c) => c.id === notice.id)) {
        this.cautions.push(notice);
      }
    } else if (
      !this.warnings.some(
        (w) =>
          w.ruleId === notice.ruleId &&
          siteKey(w.site ?? { limb: '', side: '' }) === siteKey(notice.site ?? { limb: '', side: '' }),
      )
    ) {
      this.warnings.push(notice);
    }
  }
}
