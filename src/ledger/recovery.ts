// Opening a ledger after a start or a crash: a batch is wholly in the store with its checkpoint or
// not at all, so the chain resumes from the last checkpoint once the stored tree is shown to match it.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import { EMPTY_ROOT, frontierAddresses, rootAt } from './merkle.js';
import { parseCheckpoint } from './checkpoint.js';
import { checkCheckpointNote, type NoteVerifiers } from './checkpoint-check.js';
import { formatCheckpoint, signNote, splitNote } from './note.js';
import type { SequencerState } from './sequencer.js';
import type { LedgerStore, StoredCheckpoint } from './store.js';

const ZERO_LEAF = new Uint8Array(32);

/** What recovery reads: a store, or a shared store's view inside its sequencing lock. */
type ChainReader = Pick<LedgerStore, 'latestCheckpoint' | 'entryCount' | 'readNodes'>;

/** Creates the size-0 checkpoint of a new ledger, signed, so even an empty ledger is vouched for. */
export async function createGenesis(store: LedgerStore, signer: Signer, origin: string): Promise<StoredCheckpoint> {
  const note = await signNote(formatCheckpoint({ origin, size: 0, root: EMPTY_ROOT }), origin, signer);
  const checkpoint = { size: 0, root: EMPTY_ROOT, note };
  const genesis = { entries: [], nodes: [], checkpoint };
  if (!store.sequence) await store.commitBatch(genesis);
  // Replicas starting together on an empty shared store: the first to take the lock creates it.
  else await store.sequence(async (view) => ((await view.latestCheckpoint()) ? { value: undefined } : { write: genesis, value: undefined }));
  return checkpoint;
}

/**
 * Reloads size, frontier and last leaf hash from the store and checks them against the latest
 * checkpoint: entries beyond it, or a stored tree whose root differs, stop the start-up.
 */
export async function recoverState(store: ChainReader): Promise<SequencerState> {
  const checkpoint = await store.latestCheckpoint();
  if (!checkpoint) throw new SignetError('FAILED_PRECONDITION', 'the ledger has no checkpoint; it was never created');
  const { size } = checkpoint;
  const count = await store.entryCount();
  if (count !== size) {
    throw new SignetError('INTEGRITY', `the ledger store holds ${count} entries but its latest checkpoint is at size ${size}; run VerifyChain`);
  }
  const read = (a: Parameters<LedgerStore['readNodes']>[0]) => store.readNodes(a);
  const frontier = size === 0 ? [] : await read(frontierAddresses(size));
  const root = size === 0 ? EMPTY_ROOT : await rootAt(size, read);
  if (!sameBytes(root, checkpoint.root)) {
    throw new SignetError('INTEGRITY', `the stored tree's root at size ${size} differs from the latest checkpoint; run VerifyChain`);
  }
  const lastLeaf = size === 0 ? ZERO_LEAF : (await read([{ level: 0, index: size - 1 }]))[0]!;
  return { size, frontier, lastLeaf, checkpoint };
}

/**
 * Opens the chain state: recovers an existing ledger or creates a new one with its genesis
 * checkpoint. The latest checkpoint must be signed by one of `verifiers` (the ledger key and any
 * previous keys) and say the stored size and root, or the start-up stops with INTEGRITY.
 */
export async function openState(store: LedgerStore, signer: Signer, origin: string, verifiers: NoteVerifiers): Promise<SequencerState> {
  const latest = await store.latestCheckpoint();
  if (!latest) await createGenesis(store, signer, origin);
  else {
    const stored = parseCheckpoint(splitNote(latest.note).text).origin;
    if (stored !== origin) {
      throw new SignetError('CONFIG', `this ledger was created with origin "${stored}", not "${origin}"; set ledger.origin to "${stored}" or use another ledger path`);
    }
    const why = checkCheckpointNote(latest, verifiers, origin);
    if (why) {
      throw new SignetError('INTEGRITY', `the latest checkpoint is not vouched for by the ledger key: ${why}; if the ledger key was rotated, list the old public key in ledger.previous_keys, otherwise run VerifyChain`);
    }
  }
  // A shared store is read under its sequencing lock, so another replica's commit cannot fall
  // between the reads (a checkpoint, then more entries than it covers).
  if (store.sequence) return store.sequence(async (view) => ({ value: await recoverState(view) }));
  return recoverState(store);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
