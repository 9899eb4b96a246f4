import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { editedRulesData, RULES_DATA, ruleById } from '../../test/rules-fixtures';
import { exerciseCatalogue } from '../prescription/exercise-catalogue';
import { loadRuleCatalogue } from '../rulesets';
import { formatRuleProblem, RulesetInvalidError } from './loader';

function problemsOf(dir: string): string[] {
  try {
    loadRuleCatalogue(dir);
  } catch (error) {
    if (error instanceof RulesetInvalidError) {
      return error.problems.map(formatRuleProblem);
    }
    throw error;
  }
  throw new Error('the rules loaded, but a problem was expected');
}

const SCREENING = 'screening.rules.json';

describe('loadRules', () => {
  it('loads the shipped rules with one engine per ruleset', () => {
    const catalogue = loadRuleCatalogue(RULES_DATA);
    expect(catalogue.rulesetNames.sort()).toEqual([
      'dosing',
      'lop',
      'schedule',
      'screening',
      'screening-limb',
      'selection',
      'vte-points',
    ]);
    expect(catalogue.rule('ci.vte-history')?.rule.evidence.length).toBeGreaterThan(0);
    expect(catalogue.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unknown operator, naming file, rule, field and the known operators', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.pregnancy').conditions.all[0].operator = 'equals';
    });
    const [problem] = problemsOf(dir);
    expect(problem).toMatch(
      /^screening\.rules\.json › rule ci\.pregnancy › conditions\.all\.0\.operator: unknown operator "equals"/,
    );
    expect(problem).toContain('inBand');
  });

  it('refuses a duplicate rule id', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.sickle-cell').id = 'ci.pregnancy';
    });
    expect(problemsOf(dir)).toContain(
      'screening.rules.json › rule ci.pregnancy › id: duplicate rule id (already used in screening.rules.json)',
    );
  });

  it('refuses a rule without evidence', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.vte-history').evidence = [];
    });
    expect(problemsOf(dir)).toEqual([
      'screening.rules.json › rule ci.vte-history › evidence: must name at least one source',
    ]);
  });

  it('refuses a rule whose evidence has no level', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      delete ruleById(c, 'ci.vte-history').evidence[0].level;
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/^screening\.rules\.json › rule ci\.vte-history › evidence\.0\.level: /),
    ]);
  });

  it('refuses an unknown fact', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.vte-history').conditions.all[0].fact = 'dvtHistory';
    });
    expect(problemsOf(dir)).toEqual([expect.stringContaining('conditions.all.0.fact: unknown fact "dvtHistory"')]);
  });

  it('refuses a comparison that can never match, so a typo cannot silently disable a rule', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.vte-history').conditions.all[0].value = 'Yes';
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('conditions.all.0.value: value "Yes" can never match this fact'),
    ]);
  });

  it('refuses a malformed value for a custom operator', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.bp-diastolic-100').conditions.all[0].value = { atLeast: 110, below: 100 };
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('ci.bp-diastolic-100 › conditions.all.0.value: not a valid value for inBand'),
    ]);
  });

  it('refuses an event the ruleset does not define', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.vte-history').event.params.verdict = 'forbidden';
    });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/ci\.vte-history › event\.params\.verdict: /)]);
  });

  it('refuses a comparison without a name, since the trace reports conditions by name', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      delete ruleById(c, 'ci.vte-history').conditions.all[0].name;
    });
    expect(problemsOf(dir)).toEqual([expect.stringContaining('conditions.all.0.name: is required in a comparison')]);
  });

  it('refuses a condition that mixes a group and a comparison', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.vte-history').conditions.fact = 'vteHistory';
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringContaining('must be either one group (all, any or not) or one comparison'),
    ]);
  });

  it('refuses a file that is not JSON', () => {
    const dir = editedRulesData(SCREENING, () => '{ "ruleset": "screening", ');
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/^screening\.rules\.json: is not valid JSON/)]);
  });

  it('refuses a ruleset name that does not match the file name', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      c.ruleset = 'dosing';
    });
    expect(problemsOf(dir)).toContain('screening.rules.json › ruleset: is "dosing" but the file name says "screening"');
  });

  it('refuses a directory without the rules a module needs', () => {
    const dir = editedRulesData(SCREENING, () => undefined);
    expect(problemsOf(`${dir}/missing`)[0]).toMatch(/cannot be read/);
  });

  it('reports every problem at once, not only the first', () => {
    const dir = editedRulesData(SCREENING, (c) => {
      ruleById(c, 'ci.pregnancy').conditions.all[0].operator = 'equals';
      ruleById(c, 'ci.vte-history').evidence = [];
    });
    expect(problemsOf(dir)).toHaveLength(2);
  });

  describe('data files', () => {
    it('loads the exercise catalogue and the LOP equations as typed tables covered by the ruleset version', () => {
      const catalogue = loadRuleCatalogue(RULES_DATA);
      expect(catalogue.table(exerciseCatalogue).exercises.length).toBeGreaterThanOrEqual(20);
      expect(Object.keys(catalogue.content)).toEqual(
        expect.arrayContaining(['exercises.data.json', 'lop-equations.data.json']),
      );
      const edited = editedRulesData('exercises.data.json', (c) => {
        c.exercises[0].name = `${c.exercises[0].name} (machine)`;
      });
      expect(loadRuleCatalogue(edited).version).not.toBe(catalogue.version);
    });

    it('refuses a table entry that breaks its schema, naming the field', () => {
      const dir = editedRulesData('exercises.data.json', (c) => {
        c.exercises[0].position = 'prone';
      });
      expect(problemsOf(dir)).toEqual([expect.stringMatching(/^exercises\.data\.json › exercises\.0\.position: /)]);
    });

    it('refuses to enable an LOP equation whose sources are not all confirmed', () => {
      const dir = editedRulesData('lop-equations.data.json', (c) => {
        const disabled = c.equations.find(
          (e: { enabled: boolean; intercept: unknown }) => !e.enabled && e.intercept !== null,
        );
        disabled.enabled = true;
      });
      expect(problemsOf(dir).join('\n')).toMatch(
        /lop-equations\.data\.json › equations\.\d+\.enabled: an enabled equation needs/,
      );
    });

    it('refuses patient wording without its Spanish, so a handout never falls back to English', () => {
      const dir = editedRulesData('exercises.data.json', (c) => {
        c.exercises[0].instructions = `${c.exercises[0].instructions} Breathe out as you push.`;
      });
      expect(problemsOf(dir)).toEqual([
        expect.stringMatching(
          /^exercises\.data\.json › exercises\.0\.instructions: has no Spanish in handout\.data\.json translations: /,
        ),
      ]);
    });

    it('refuses Spanish handout wording that drops a placeholder of the English', () => {
      const dir = editedRulesData('handout.data.json', (c) => {
        c.texts.cuffSetting.es = 'mmHg';
      });
      expect(problemsOf(dir)).toEqual([
        expect.stringContaining(
          'handout.data.json › texts.cuffSetting.es: must use the same {placeholders} as the English (mmHg)',
        ),
      ]);
    });

    it('refuses a data file no module declares', () => {
      const dir = editedRulesData(SCREENING, () => undefined);
      writeFileSync(join(dir, 'stretches.data.json'), '{}');
      expect(problemsOf(dir)).toEqual([
        expect.stringMatching(/^stretches\.data\.json: no module declares a data file named "stretches"/),
      ]);
    });

    it('refuses a phase that names an exercise the catalogue does not hold', () => {
      const dir = editedRulesData('selection.rules.json', (c) => {
        const phase = c.rules.find((r: { event: { type: string } }) => r.event.type === 'phase');
        phase.event.params.exercises[0].exercise = 'leg-presss';
      });
      expect(problemsOf(dir)).toEqual([
        expect.stringMatching(
          /^selection\.rules\.json › rule sel\.[a-z0-9.-]+ › event\.params\.exercises\.0\.exercise: "leg-presss" is not in exercises\.data\.json$/,
        ),
      ]);
    });

    it('refuses a dosing rule that compares with an exercise that does not exist', () => {
      const dir = editedRulesData('dosing.rules.json', (c) => {
        c.rules[0].conditions = { all: [{ name: 'typo', fact: 'exercise', operator: 'equal', value: 'calf-rise' }] };
      });
      expect(problemsOf(dir)).toEqual([
        expect.stringContaining('conditions.all.0.value: "calf-rise" is not a known exercise'),
      ]);
    });
  });
});
