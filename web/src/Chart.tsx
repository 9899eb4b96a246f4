import { useT } from './i18n';

export interface Sample {
  t: number;
  mmHg: number | null;
  target: number | null;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 44, right: 8, top: 8, bottom: 24 };
export const WINDOW_S = 60;

/** The minute shown: from the first reading until a minute has passed, then the last minute. */
export function windowStart(samples: Sample[]): number {
  if (samples.length === 0) return 0;
  return Math.max(samples[0].t, samples[samples.length - 1].t - WINDOW_S);
}

/** The points of a pressure line in the chart's coordinates, gaps where no reading was made. */
export function pressurePath(
  samples: Sample[],
  start: number,
  maxMmHg: number,
  pick: (s: Sample) => number | null,
): string {
  const x = (t: number) => PAD.left + ((t - start) / WINDOW_S) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / maxMmHg) * (HEIGHT - PAD.top - PAD.bottom);
  let path = '';
  let pen = false;
  for (const s of samples) {
    const v = pick(s);
    if (v === null || s.t < start) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(s.t).toFixed(1)},${y(v).toFixed(1)} `;
    pen = true;
  }
  return path.trim();
}

/** Pressure against the set point and its band for one channel, the last minute. */
export function PressureChart({
  channel,
  samples,
  bandMmHg,
}: {
  channel: string;
  samples: Sample[];
  bandMmHg: number;
}) {
  const t = useT();
  const start = windowStart(samples);
  const maxMmHg = Math.max(250, ...samples.map((s) => Math.max(s.mmHg ?? 0, (s.target ?? 0) + bandMmHg)));
  const y = (v: number) => PAD.top + (1 - v / maxMmHg) * (HEIGHT - PAD.top - PAD.bottom);
  const last = samples[samples.length - 1];
  const ticks = [0, 50, 100, 150, 200, 250].filter((v) => v <= maxMmHg);
  return (
    <figure class="chart">
      <figcaption>
        {t('channel')} {channel}:{' '}
        {last?.mmHg !== null && last?.mmHg !== undefined ? `${Math.round(last.mmHg)} mmHg` : '—'}
        {last?.target ? ` · ${t('setPoint')} ${last.target} mmHg ± ${bandMmHg}` : ''}
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${t('live')} ${channel}`}
        data-testid={`chart-${channel}`}
      >
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} class="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} class="tick" text-anchor="end">
              {v}
            </text>
          </g>
        ))}
        <path
          d={pressurePath(samples, start, maxMmHg, (s) => (s.target ? s.target + bandMmHg : null))}
          class="band-edge"
        />
        <path
          d={pressurePath(samples, start, maxMmHg, (s) => (s.target ? s.target - bandMmHg : null))}
          class="band-edge"
        />
        <path d={pressurePath(samples, start, maxMmHg, (s) => s.target)} class="target" />
        <path
          d={pressurePath(samples, start, maxMmHg, (s) => s.mmHg)}
          class="pressure"
          data-testid={`pressure-${channel}`}
        />
        <text x={PAD.left} y={HEIGHT - 6} class="tick">
          {Math.round(start)} s
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} class="tick" text-anchor="end">
          {Math.round(start + WINDOW_S)} s · mmHg · {t('band')} ±{bandMmHg}
        </text>
      </svg>
    </figure>
  );
}
