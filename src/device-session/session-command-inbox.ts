import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { DomainError, ErrorCode } from '../common/problem';
import type { SupervisedSession } from './supervised-session';

export type SessionCommand = 'start' | 'next-set' | 'pause' | 'resume' | 'abort';

/** A command forwarded to another replica is given up if it has not been taken this long. */
const TAKE_DEADLINE_MS = 5_000;
/** Once taken, the owner answers within the cuff's ack deadline; this leaves room for the database. */
const ANSWER_DEADLINE_MS = 10_000;
const POLL_MS = 100;

/** Carries out a clinician's command on the session this replica supervises. */
export async function runCommand(
  live: SupervisedSession,
  command: SessionCommand,
  actor: string,
  reason?: string,
): Promise<void> {
  switch (command) {
    case 'start':
      await live.start(actor);
      return;
    case 'next-set':
      await live.nextSet(actor);
      return;
    case 'pause':
      await live.pause(actor);
      return;
    case 'resume':
      await live.resume(actor);
      return;
    case 'abort':
      await live.abort(actor, reason);
      return;
  }
}

interface Outcome {
  ok: boolean;
  code?: string;
  detail?: string;
  extensions?: Record<string, unknown>;
}

interface PendingRow {
  id: string;
  session_id: string;
  command: SessionCommand;
  actor: string;
  reason: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Session commands that reach a replica which does not supervise the session, passed through the
 * database (`device_session_commands`) to the one that does. The supervising replica takes each
 * pending command with a conditional update (so it runs once), carries it out and writes the
 * outcome; the receiving replica answers the clinician with it. A command not taken in 5 s is
 * withdrawn, so it can never run late.
 */
export class SessionCommandInbox {
  private readonly sqlite: boolean;

  constructor(private readonly db: DataSource) {
    this.sqlite = db.options.type === 'sqlite';
  }

  /** Forwards the command and waits for the supervising replica's outcome; its refusal is thrown as it was raised there. */
  async forward(sessionId: string, command: SessionCommand, actor: string, reason: string | undefined): Promise<void> {
    const id = randomUUID();
    await this.query(
      'INSERT INTO device_session_commands (id, session_id, command, actor, reason, state, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, sessionId, command, actor, reason ?? null, 'pending', Date.now()],
    );
    const started = Date.now();
    for (;;) {
      await sleep(POLL_MS);
      const [row] = await this.query<{ state: string; outcome: string | null }>(
        'SELECT state, outcome FROM device_session_commands WHERE id = $1',
        [id],
      );
      if (row?.state === 'done' && row.outcome) {
        return this.settle(id, JSON.parse(row.outcome) as Outcome);
      }
      const waited = Date.now() - started;
      if (row?.state === 'pending' && waited > TAKE_DEADLINE_MS) {
        await this.query("UPDATE device_session_commands SET state = 'withdrawn' WHERE id = $1 AND state = 'pending'", [
          id,
        ]);
        const [after] = await this.query<{ state: string }>('SELECT state FROM device_session_commands WHERE id = $1', [
          id,
        ]);
        if (after?.state === 'withdrawn') {
          await this.query('DELETE FROM device_session_commands WHERE id = $1', [id]);
          throw new DomainError(
            ErrorCode.DeviceSessionStateConflict,
            `The instance of the service supervising the session did not take the ${command} command within ${TAKE_DEADLINE_MS / 1000} s; nothing was sent. If that instance stopped, another takes the session over within seconds and deflates the cuff.`,
          );
        }
      }
      if (waited > TAKE_DEADLINE_MS + ANSWER_DEADLINE_MS) {
        throw new DomainError(
          ErrorCode.DeviceNoAck,
          `No outcome of the ${command} command came back from the instance supervising the session; read the session to see whether it was carried out, and check the cuff.`,
        );
      }
    }
  }

  /**
   * Takes and carries out the pending commands of the sessions this replica supervises. The
   * outcome is written once what the command changed is stored (`stored`), so the replica that
   * forwarded it answers with the session as it is now.
   */
  async drain(
    session: (sessionId: string) => SupervisedSession | undefined,
    sessionIds: string[],
    stored: (sessionId: string) => Promise<void>,
  ): Promise<void> {
    if (sessionIds.length === 0) {
      return;
    }
    const marks = sessionIds.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await this.query<PendingRow>(
      `SELECT id, session_id, command, actor, reason FROM device_session_commands WHERE state = 'pending' AND session_id IN (${marks})`,
      sessionIds,
    );
    for (const row of rows) {
      // Taken under a mark of this replica's own: a command withdrawn meanwhile, or taken by another, is left alone.
      const mark = `t-${randomUUID().slice(0, 12)}`;
      await this.query("UPDATE device_session_commands SET state = $2 WHERE id = $1 AND state = 'pending'", [
        row.id,
        mark,
      ]);
      const [mine] = await this.query<{ state: string }>('SELECT state FROM device_session_commands WHERE id = $1', [
        row.id,
      ]);
      if (mine?.state !== mark) {
        continue;
      }
      const live = session(row.session_id);
      let outcome: Outcome = { ok: true };
      try {
        if (!live) {
          throw new DomainError(
            ErrorCode.DeviceSessionStateConflict,
            'The session ended before the command could be carried out.',
          );
        }
        await runCommand(live, row.command, row.actor, row.reason ?? undefined);
        await stored(row.session_id);
      } catch (error) {
        outcome =
          error instanceof DomainError
            ? {
                ok: false,
                code: error.code,
                detail: error.detail,
                ...(error.extensions && { extensions: error.extensions }),
              }
            : { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
      await this.query("UPDATE device_session_commands SET state = 'done', outcome = $2 WHERE id = $1", [
        row.id,
        JSON.stringify(outcome),
      ]);
    }
  }

  private async settle(id: string, outcome: Outcome): Promise<void> {
    await this.query('DELETE FROM device_session_commands WHERE id = $1', [id]);
    if (outcome.ok) {
      return;
    }
    if (outcome.code && Object.values(ErrorCode).includes(outcome.code as ErrorCode)) {
      throw new DomainError(
        outcome.code as ErrorCode,
        outcome.detail ?? '',
        undefined,
        outcome.extensions ? { extensions: outcome.extensions } : undefined,
      );
    }
    throw new Error(`the supervising instance failed the command: ${outcome.detail ?? 'no detail'}`);
  }

  private query<T = unknown>(statement: string, parameters: unknown[]): Promise<T[]> {
    return this.db.query(this.sqlite ? statement.replace(/\$(\d+)/g, '?$1') : statement, parameters);
  }
}
