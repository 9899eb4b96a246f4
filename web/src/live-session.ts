import { useEffect, useRef, useState } from 'preact/hooks';

import { followEvents, problemLines } from './api';
import { type Sample, WINDOW_S } from './Chart';

/** One telemetry event of a session's stream. */
export interface Telemetry {
  elapsedMs: number;
  state: string;
  blockIndex: number | null;
  setIndex: number | null;
  channels: Array<{ channel: string; meanMmHg: number | null; targetMmHg: number | null; inBand: boolean | null }>;
}

/** The parts of a cuff program the live view reads. */
export interface Program {
  blocks: Array<{
    exerciseId: string;
    channel: string;
    sets: Array<{ reps: number; workS: number }>;
    setRestS: number;
    reperfusionS: number;
  }>;
  limits?: { windowMmHg: number };
}

/** Statuses after which a session takes no command. */
export const ENDED = new Set(['completed', 'aborted']);
const KEEP_SAMPLES = WINDOW_S * 12;

/** How long the cuff's current phase is meant to last, from the program. */
export function prescribedSeconds(program: Program | null, telemetry: Telemetry): number | null {
  const block = program && telemetry.blockIndex !== null ? program.blocks[telemetry.blockIndex] : undefined;
  if (!block) return null;
  if (telemetry.state === 'SET_REST') return block.setRestS;
  if (telemetry.state === 'REPERFUSION') return block.reperfusionS;
  if (telemetry.state === 'HOLDING' || telemetry.state === 'INFLATING')
    return block.sets[telemetry.setIndex ?? 0]?.workS ?? null;
  return null;
}

/** What the session's event stream has said so far: pressure samples per channel, the cuff's state, alarms. */
export function useLiveSession(onEnded: (id: string) => void, onProblem: (problems: string[]) => void) {
  const [samples, setSamples] = useState<Record<string, Sample[]>>({});
  const [telemetry, setTelemetry] = useState<Telemetry | null>(null);
  const [phaseStart, setPhaseStart] = useState<{ key: string; at: number } | null>(null);
  const [alarms, setAlarms] = useState<string[]>([]);
  // The stream says the status as it changes; a command's answer may be read before its change is stored.
  const [streamStatus, setStreamStatus] = useState<string | null>(null);
  const stream = useRef<AbortController | null>(null);
  useEffect(() => () => stream.current?.abort(), []);

  const onTelemetry = (sample: Telemetry) => {
    setTelemetry(sample);
    const key = `${sample.blockIndex}:${sample.setIndex}:${sample.state}`;
    setPhaseStart((previous) => (previous?.key === key ? previous : { key, at: sample.elapsedMs }));
    setSamples((previous) => {
      const next = { ...previous };
      for (const c of sample.channels) {
        next[c.channel] = [
          ...(previous[c.channel] ?? []),
          { t: sample.elapsedMs / 1000, mmHg: c.meanMmHg, target: c.targetMmHg },
        ].slice(-KEEP_SAMPLES);
      }
      return next;
    });
  };

  const follow = (id: string) => {
    stream.current?.abort();
    setStreamStatus(null);
    setTelemetry(null);
    setSamples({});
    setAlarms([]);
    const controller = new AbortController();
    stream.current = controller;
    followEvents(
      `/v1/device-sessions/${id}/telemetry`,
      (event) => {
        const data = JSON.parse(event.data);
        if (event.event === 'telemetry') {
          onTelemetry(data as Telemetry);
        } else if (event.event === 'alarm') {
          setAlarms((previous) => [...previous, `${data.code} (${data.action}): ${data.message}`]);
        } else if (event.event === 'status') {
          setStreamStatus(data.status);
          if (ENDED.has(data.status)) onEnded(id);
        }
      },
      controller.signal,
    ).then(
      () => onEnded(id),
      (error) => {
        if (!controller.signal.aborted) onProblem(problemLines(error));
      },
    );
  };
  const inPhase = telemetry && phaseStart ? Math.round((telemetry.elapsedMs - phaseStart.at) / 1000) : null;
  return { samples, telemetry, inPhase, alarms, streamStatus, follow };
}
