import type { DataSource } from 'typeorm';

/**
 * Where command sequence numbers come from. A cuff refuses a seq not above the highest it has
 * seen (SR-12), so with several replicas the numbers for one cuff must come from one place.
 */
export interface CommandSequence {
  /** The next seq for the cuff: above every one handed out for it before, and at least `atLeast`. */
  next(deviceId: string, atLeast: number): Promise<number>;
}

/**
 * One counter per cuff in PostgreSQL, shared by every replica: the row is claimed and raised in
 * one statement, so two replicas never get the same number and every number is above the last.
 * It never falls below the clock in milliseconds, the numbers a single process used to send.
 */
export class DatabaseCommandSequence implements CommandSequence {
  constructor(private readonly db: DataSource) {}

  async next(deviceId: string, atLeast: number): Promise<number> {
    const rows: Array<{ last_seq: string | number }> = await this.db.query(
      `INSERT INTO device_command_sequences (device_id, last_seq) VALUES ($1, $2)
       ON CONFLICT (device_id) DO UPDATE SET last_seq = GREATEST(device_command_sequences.last_seq + 1, EXCLUDED.last_seq)
       RETURNING last_seq`,
      [deviceId, atLeast],
    );
    const seq = Number(rows[0]?.last_seq);
    if (!Number.isSafeInteger(seq)) {
      throw new Error(`the command sequence of cuff ${deviceId} is not a safe integer`);
    }
    return seq;
  }
}
