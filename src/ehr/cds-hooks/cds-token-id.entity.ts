import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

import { isoTimestamp } from '../../common/iso-timestamp';

/** A CDS Hooks JWT id already used by an EHR; kept in the database so every replica refuses a replay. */
@Entity('cds_token_ids')
@Index('cds_token_ids_keep_until', ['keepUntil'])
export class CdsTokenId {
  @PrimaryColumn({ type: 'varchar', length: 500 })
  issuer: string;

  @PrimaryColumn({ name: 'token_id', type: 'varchar', length: 200 })
  tokenId: string;

  /** After this instant the token fails its own `exp` or age check, so the id may be forgotten. */
  @Column({ name: 'keep_until', type: 'varchar', length: 30, transformer: isoTimestamp })
  keepUntil: Date;
}
