// Checks one signed checkpoint against a trusted ledger key (PEM or vkey): a verdict, not a throw.
import { noteVerifiersFor, type TrustedKey } from '../client/trust.js';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.js';
import { verifyNote } from '../ledger/note.js';

export type CheckpointVerdict = { valid: true; checkpoint: Checkpoint } | { valid: false; reason: string };

export function verifyCheckpointNote(note: string, key: TrustedKey | TrustedKey[], origin?: string): CheckpointVerdict {
  try {
    const { body } = verifyNote(note, noteVerifiersFor(key, note));
    const checkpoint = parseCheckpoint(body);
    if (origin !== undefined && checkpoint.origin !== origin) return { valid: false, reason: `checkpoint origin is "${checkpoint.origin}", expected "${origin}"` };
    return { valid: true, checkpoint };
  } catch (err) {
    return { valid: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
