// Nest's decorators need the Reflect metadata API before any module that uses them is loaded.
import 'reflect-metadata';

import { cpus } from 'node:os';
import { resolve } from 'node:path';

import { benchEngine, type EngineBenchResult } from './engine.bench';
import { benchHandouts, type HandoutBenchResult } from './handout.bench';
import { benchHttp, type HttpBenchResult } from './http.bench';
import { benchPlans } from './plan.bench';

const RULES_DIR = resolve(__dirname, '..', 'rules-data');

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function table(engine: EngineBenchResult, plans: EngineBenchResult, handouts: HandoutBenchResult, http: HttpBenchResult[]): string {
  const rows = [
    '| Benchmark | Throughput | p50 (ms) | p90 (ms) | p99 (ms) | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| screening: \`screenPatient\` over ${engine.cases} golden cases (${engine.rulesets.length} rulesets), ${integer.format(engine.runs)} sequential runs | ${integer.format(engine.runsPerSecond)} runs/s | ${engine.p50Ms.toFixed(3)} | ${engine.p90Ms.toFixed(3)} | ${engine.p99Ms.toFixed(3)} | – |`,
    `| prescription: \`generatePlan\` over ${plans.cases} golden cases that make a plan (${plans.rulesets.length} rulesets), ${integer.format(plans.runs)} sequential runs | ${integer.format(plans.runsPerSecond)} plans/s | ${plans.p50Ms.toFixed(3)} | ${plans.p90Ms.toFixed(3)} | ${plans.p99Ms.toFixed(3)} | – |`,
    `| handout: \`renderHandout\` of ${handouts.cases} approved plans, English and Spanish (${handouts.pages} pages, ${handouts.kilobytes} kB on average), ${integer.format(handouts.runs)} sequential runs | ${integer.format(handouts.runsPerSecond)} PDFs/s | ${handouts.p50Ms.toFixed(1)} | ${handouts.p90Ms.toFixed(1)} | ${handouts.p99Ms.toFixed(1)} | – |`,
    ...http.map(
      (r) =>
        `| HTTP: \`${r.method} ${r.path}\` → ${r.status} (${r.name}), ${r.connections} connections, ${r.durationSeconds} s | ${integer.format(r.requestsPerSecond)} req/s | ${r.p50Ms.toFixed(0)} | ${r.p90Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${r.non2xx} |`,
    ),
  ];
  return rows.join('\n');
}

async function main(): Promise<void> {
  const cpuList = cpus();
  const machine = `${cpuList[0]?.model.trim() ?? 'unknown CPU'}, ${cpuList.length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;

  // Progress goes to stderr so stdout is only the report.
  console.error('screening benchmark…');
  const engine = await benchEngine({ rulesDir: RULES_DIR });
  console.error('plan benchmark…');
  const plans = await benchPlans({ rulesDir: RULES_DIR });
  console.error('handout benchmark…');
  const handouts = await benchHandouts({ rulesDir: RULES_DIR });
  console.error('HTTP benchmark (about 55 s)…');
  const http = await benchHttp({ rulesDir: RULES_DIR });

  console.log(`Machine: ${machine}\n\n${table(engine, plans, handouts, http)}`);
}

// exitCode rather than exit(): exit() can cut off stdout still being written to a pipe.
main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
