// Witness cosignatures a ledger accepts and serves: a configured witness sends a checkpoint it
// cosigned; Signet keeps each verified cosignature line (SQLite) and serves the checkpoint with
// them, so a receipt can require N witnesses. Only checkpoints this ledger signed are cosigned.
import Database from 'better-sqlite3';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { verifiedCosignatures, withCosignatures, type Cosigner } from './cosignature.js';
import { splitNote } from './note.js';
import type { LedgerReader } from './reader.js';
import type { StoredCheckpoint } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cosignatures (
  size INTEGER NOT NULL,
  name TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (size, name)
) WITHOUT ROWID;
`;

export class WitnessedCheckpoints {
  readonly #db: Database.Database;
  readonly #cosigners: Cosigner[];
  readonly #reader: LedgerReader;
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;

  constructor(path: string, cosigners: Cosigner[], reader: LedgerReader) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(SCHEMA);
    this.#cosigners = cosigners;
    this.#reader = reader;
    // A later cosignature by the same witness of the same checkpoint replaces an earlier one.
    this.#put = this.#db.prepare('INSERT INTO cosignatures (size, name, timestamp, line) VALUES (?, ?, ?, ?) ON CONFLICT (size, name) DO UPDATE SET timestamp = excluded.timestamp, line = excluded.line WHERE excluded.timestamp > cosignatures.timestamp');
    this.#get = this.#db.prepare('SELECT line FROM cosignatures WHERE size = ? ORDER BY name');
  }

  get witnessNames(): string[] {
    return this.#cosigners.map((c) => c.name);
  }

  /** Accepts the cosignatures of configured witnesses on a checkpoint this ledger signed. */
  async accept(note: string): Promise<{ checkpoint: StoredCheckpoint; accepted: string[] }> {
    if (typeof note !== 'string' || note.length === 0) throw invalidArgument('note', 'the cosigned checkpoint is required');
    let body: string;
    let size: number;
    try {
      body = splitNote(note).text;
      size = parseCheckpoint(body).size;
    } catch (err) {
      throw new SignetError('INVALID_ARGUMENT', `note: ${(err as Error).message}`, { field: 'note' });
    }
    const stored = await this.#reader.checkpoint(size, 'note');
    if (splitNote(stored.note).text !== body) throw new SignetError('FAILED_PRECONDITION', `note: this ledger signed another checkpoint at size ${size}`, { field: 'note' });
    const verified = verifiedCosignatures(note, this.#cosigners);
    if (verified.length === 0) throw new SignetError('PERMISSION_DENIED', 'note: no cosignature by a configured witness verifies over this checkpoint');
    this.#db.transaction(() => {
      for (const v of verified) this.#put.run(size, v.name, v.timestamp, v.line);
    })();
    return { checkpoint: this.cosigned(stored), accepted: verified.map((v) => v.name) };
  }

  /** The checkpoint with every witness cosignature kept for it. */
  cosigned(checkpoint: StoredCheckpoint): StoredCheckpoint {
    const lines = (this.#get.all(checkpoint.size) as { line: string }[]).map((r) => r.line);
    return lines.length === 0 ? checkpoint : { ...checkpoint, note: withCosignatures(checkpoint.note, lines) };
  }

  close(): void {
    this.#db.close();
  }
}
