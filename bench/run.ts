// Nest's decorators need the Reflect metadata API before any module that uses them is loaded.
import 'reflect-metadata';

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';

import { benchCdsPatientView } from './cds.bench';
import { benchEngine, type EngineBenchResult } from './engine.bench';
import { benchHandouts, type HandoutBenchResult } from './handout.bench';
import { benchHttp, type HttpBenchResult } from './http.bench';
import { benchPlans } from './plan.bench';
import { benchScale, type ScaleBenchResult } from './scale.bench';

const RULES_DIR = resolve(__dirname, '..', 'rules-data');

/**
 * Whether this Node is one package.json's `engines` declares (by major version). Figures from
 * another Node are not the service's: V8 differs enough between majors to change them by half.
 */
function supportedNode(): boolean {
  const { engines } = JSON.parse(readFileSync(resolve(__dirname, '..', 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const majors = [...engines.node.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));
  return majors.includes(Number(process.versions.node.split('.')[0]));
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function table(
  engine: EngineBenchResult,
  plans: EngineBenchResult,
  scale: ScaleBenchResult,
  handouts: HandoutBenchResult,
  http: HttpBenchResult[],
): string {
  const echo = http.find((r) => r.name === 'bare Fastify echo')?.requestsPerSecond;
  const ofEcho = (r: HttpBenchResult) =>
    echo && r.name !== 'bare Fastify echo'
      ? ` (${((100 * r.requestsPerSecond) / echo).toFixed(1)} % of the bare echo)`
      : '';
  const scaleRow = (label: string, shipped: EngineBenchResult, scaled: EngineBenchResult) =>
    `| ${label} with ${scale.factor}× the rules (${integer.format(scale.rules.scaled)} instead of ${scale.rules.shipped}, the copies never fire), ${integer.format(scaled.runs)} sequential runs | ${integer.format(scaled.runsPerSecond)} plans/s (${(shipped.runsPerSecond / scaled.runsPerSecond).toFixed(1)}× the time of ${integer.format(shipped.runsPerSecond)} plans/s; p50 ${(scaled.p50Ms / shipped.p50Ms).toFixed(1)}×) | ${scaled.p50Ms.toFixed(3)} | ${scaled.p90Ms.toFixed(3)} | ${scaled.p99Ms.toFixed(3)} | – |`;
  const rows = [
    '| Benchmark | Throughput | p50 (ms) | p90 (ms) | p99 (ms) | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| screening: \`screenPatient\` over ${engine.cases} golden cases (${engine.rulesets.length} rulesets), ${integer.format(engine.runs)} sequential runs | ${integer.format(engine.runsPerSecond)} runs/s | ${engine.p50Ms.toFixed(3)} | ${engine.p90Ms.toFixed(3)} | ${engine.p99Ms.toFixed(3)} | – |`,
    `| prescription: \`generatePlan\` over ${plans.cases} golden cases that make a plan (${plans.rulesets.length} rulesets), ${integer.format(plans.runs)} sequential runs | ${integer.format(plans.runsPerSecond)} plans/s | ${plans.p50Ms.toFixed(3)} | ${plans.p90Ms.toFixed(3)} | ${plans.p99Ms.toFixed(3)} | – |`,
    scaleRow('prescription: `generatePlan`', scale.plan.shipped, scale.plan.scaled),
    `| prescription: \`generatePlan\` and its trace serialised as stored, shipped rules, ${integer.format(scale.planWithTrace.shipped.runs)} sequential runs | ${integer.format(scale.planWithTrace.shipped.runsPerSecond)} plans/s | ${scale.planWithTrace.shipped.p50Ms.toFixed(3)} | ${scale.planWithTrace.shipped.p90Ms.toFixed(3)} | ${scale.planWithTrace.shipped.p99Ms.toFixed(3)} | – |`,
    scaleRow('prescription: `generatePlan` and its trace', scale.planWithTrace.shipped, scale.planWithTrace.scaled),
    `| handout: \`renderHandout\` of ${handouts.cases} approved plans, English and Spanish (${handouts.pages} pages, ${handouts.kilobytes} kB on average), ${integer.format(handouts.runs)} sequential runs | ${integer.format(handouts.runsPerSecond)} PDFs/s | ${handouts.p50Ms.toFixed(1)} | ${handouts.p90Ms.toFixed(1)} | ${handouts.p99Ms.toFixed(1)} | – |`,
    ...http.map(
      (r) =>
        `| HTTP: \`${r.method} ${r.path}\` → ${r.status} (${r.name}), ${r.connections} connections, ${r.durationSeconds} s | ${integer.format(r.requestsPerSecond)} req/s${ofEcho(r)}${r.cpuMsPerRequest === undefined ? '' : `, ${r.cpuMsPerRequest.toFixed(1)} ms of the service's CPU time a request`} | ${r.p50Ms.toFixed(0)} | ${r.p90Ms.toFixed(0)}${r.p97_5Ms === undefined ? '' : ` (p97.5 ${r.p97_5Ms.toFixed(0)})`} | ${r.p99Ms.toFixed(0)} | ${r.non2xx} |`,
    ),
  ];
  return rows.join('\n');
}

async function main(): Promise<void> {
  const cpuList = cpus();
  const node = supportedNode()
    ? `Node ${process.version}`
    : `Node ${process.version} (not a supported Node: see engines)`;
  const machine = `${cpuList[0]?.model.trim() ?? 'unknown CPU'}, ${cpuList.length} cores, ${node}, ${new Date().toISOString().slice(0, 10)}`;
  if (!supportedNode()) {
    console.error(
      `Node ${process.version} is not one package.json's engines declare; its figures are not the service's.`,
    );
  }

  // Progress goes to stderr so stdout is only the report.
  console.error('screening benchmark…');
  const engine = await benchEngine({ rulesDir: RULES_DIR });
  console.error('plan benchmark…');
  const plans = await benchPlans({ rulesDir: RULES_DIR });
  console.error('rule-count benchmark…');
  const scale = await benchScale({ rulesDir: RULES_DIR });
  console.error('handout benchmark…');
  const handouts = await benchHandouts({ rulesDir: RULES_DIR });
  console.error('HTTP benchmark (about 85 s)…');
  const http = await benchHttp({ rulesDir: RULES_DIR });
  console.error('CDS Hooks benchmark…');
  http.push(await benchCdsPatientView({ rulesDir: RULES_DIR }));

  console.log(`Machine: ${machine}\n\n${table(engine, plans, scale, handouts, http)}`);
}

// exitCode rather than exit(): exit() can cut off stdout still being written to a pipe.
main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
