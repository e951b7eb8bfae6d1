// gRPC handlers of signet.v1.LedgerService: translate the wire to the Ledger facade and back.
// Validation of records, indices and sizes lives in the ledger; handlers only reshape.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { parseStrictJson } from '../lib/strict-json.js';
import { ENTRY_TYPES, INTERNAL_IDEMPOTENCY_PREFIX, type LedgerRecord, type ReceiptBundle } from '../ledger/contract.js';
import type { Ledger } from '../ledger/ledger.js';
import type { WitnessedCheckpoints } from '../ledger/witnesses.js';
import { MAX_PAGE_BYTES } from '../ledger/reader.js';
import type { AppendItem } from '../ledger/sequencer.js';
import type { StoredCheckpoint, StoredEntry } from '../ledger/store.js';
import type { AppendReceiptRequest__Output } from '../gen/signet/v1/AppendReceiptRequest.js';
import type { AppendReceiptsRequest__Output } from '../gen/signet/v1/AppendReceiptsRequest.js';
import type { Checkpoint } from '../gen/signet/v1/Checkpoint.js';
import type { Entry } from '../gen/signet/v1/Entry.js';
import type { AddCosignatureRequest__Output } from '../gen/signet/v1/AddCosignatureRequest.js';
import type { GetCheckpointRequest__Output } from '../gen/signet/v1/GetCheckpointRequest.js';
import type { GetConsistencyProofRequest__Output } from '../gen/signet/v1/GetConsistencyProofRequest.js';
import type { GetEntriesRequest__Output } from '../gen/signet/v1/GetEntriesRequest.js';
import type { GetEntryRequest__Output } from '../gen/signet/v1/GetEntryRequest.js';
import type { GetInclusionProofRequest__Output } from '../gen/signet/v1/GetInclusionProofRequest.js';
import type { Receipt } from '../gen/signet/v1/Receipt.js';
import type { ReceiptRecord__Output } from '../gen/signet/v1/ReceiptRecord.js';
import type { VerifyChainRequest__Output } from '../gen/signet/v1/VerifyChainRequest.js';
import type { VerifyChainResponse } from '../gen/signet/v1/VerifyChainResponse.js';
import { requireAgentAllowed } from './interceptors.js';
import type { CallContext, ServiceModule } from './service.js';

/** The idempotency scope of callers without an identity (plaintext, or TLS without a client certificate). */
const ANONYMOUS_SCOPE = 'anonymous';

export interface LedgerServiceOptions {
  /** Most receipts in one AppendReceipts call. */
  maxBatch?: number;
  /** The server's message size limit: a GetEntries page stays within half of it (and 1 MiB). */
  maxMessageBytes?: number;
  /** Witness cosignatures accepted and served (ledger.witnesses); absent: AddCosignature is refused. */
  witnesses?: WitnessedCheckpoints;
}

export function ledgerService(ledger: Ledger, options: LedgerServiceOptions = {}): ServiceModule {
  const maxBatch = options.maxBatch ?? 10000;
  const reader = ledger.reader;
  const pageBytes = Math.min(MAX_PAGE_BYTES, Math.floor((options.maxMessageBytes ?? Infinity) / 2));
  const witnesses = options.witnesses;
  const cosigned = (c: StoredCheckpoint, wanted: boolean) => (wanted && witnesses ? witnesses.cosigned(c) : c);
  return {
    protoFile: 'signet/v1/ledger.proto',
    serviceName: 'signet.v1.LedgerService',
    handlers: {
      async AppendReceipt(request: AppendReceiptRequest__Output, context): Promise<Receipt> {
        const [bundle] = await ledger.appendMany([item(request, 'receipt', 'idempotency_key', context)], { deadline: context.deadline, scope: callerScope(context) });
        return toReceipt(bundle!);
      },

      async AppendReceipts(request: AppendReceiptsRequest__Output, context) {
        const n = request.receipts.length;
        if (n === 0) throw invalidArgument('receipts', 'at least one receipt is required');
        if (n > maxBatch) throw invalidArgument('receipts', `at most ${maxBatch} per call, got ${n}`);
        const items = request.receipts.map((r, i) => item(r, `receipts[${i}].receipt`, `receipts[${i}].idempotency_key`, context));
        const bundles = await ledger.appendMany(items, { deadline: context.deadline, scope: callerScope(context) });
        return { receipts: bundles.map(toReceipt) };
      },

      async GetEntry(request: GetEntryRequest__Output): Promise<Entry> {
        return toEntry(await reader.entry(request.index));
      },

      async GetEntries(request: GetEntriesRequest__Output) {
        const start = request.page_token ? pageStart(request.page_token) : request.start;
        const page = await reader.entries(start, request.page_size, pageBytes);
        return { entries: page.entries.map(toEntry), next_page_token: page.next === undefined ? '' : String(page.next) };
      },

      async GetCheckpoint(request: GetCheckpointRequest__Output): Promise<Checkpoint> {
        return toCheckpoint(cosigned(await reader.checkpoint(request._size ? request.size : undefined), request.with_cosignatures));
      },

      async AddCosignature(request: AddCosignatureRequest__Output): Promise<Checkpoint> {
        if (!witnesses) throw new SignetError('FAILED_PRECONDITION', 'this ledger accepts no cosignatures: no witnesses are configured (ledger.witnesses)');
        return toCheckpoint((await witnesses.accept(request.note)).checkpoint);
      },

      async GetInclusionProof(request: GetInclusionProofRequest__Output) {
        let index: number;
        if (request.target === 'leaf_hash') index = await reader.indexOfLeaf(request.leaf_hash!);
        else if (request.target === 'index') index = request.index!;
        else throw invalidArgument('index', 'give an index or a leaf_hash');
        const { proof, checkpoint } = await reader.inclusion(index, request._tree_size ? request.tree_size : undefined);
        const [leaf] = await reader.store.readNodes([{ level: 0, index }]);
        return { index, tree_size: checkpoint.size, leaf_hash: leaf, proof, checkpoint: cosigned(checkpoint, request.with_cosignatures).note };
      },

      async GetConsistencyProof(request: GetConsistencyProofRequest__Output) {
        const size2 = request._size2 ? request.size2 : undefined;
        const { proof, to } = await reader.consistency(request.size1, size2);
        return { size1: request.size1, size2: to.size, proof, checkpoint: to.note };
      },

      async VerifyChain(request: VerifyChainRequest__Output): Promise<VerifyChainResponse> {
        const report = await ledger.verifyChain({ start: request.start, end: request._end ? request.end : undefined });
        return {
          valid: report.valid,
          start: report.start,
          end: report.end,
          entries_checked: report.entriesChecked,
          checkpoints_checked: report.checkpointsChecked,
          ...(report.firstBadIndex === undefined ? {} : { first_bad_index: report.firstBadIndex }),
          ...(report.badCheckpointSize === undefined ? {} : { bad_checkpoint_size: report.badCheckpointSize }),
          reason: report.reason ?? '',
        };
      },
    },
    close: async () => {
      await ledger.close();
      witnesses?.close();
    },
  };
}

function item(request: AppendReceiptRequest__Output, field: string, keyField: string, context: CallContext): AppendItem {
  if (!request.receipt) throw invalidArgument(field, 'is required');
  requireAgentAllowed(context, request.receipt.agent, `${field}.agent`);
  // Signet's own entries (revocations, consumptions …) use these keys; a caller must not pre-empt them.
  if (request.idempotency_key.startsWith(INTERNAL_IDEMPOTENCY_PREFIX)) {
    throw invalidArgument(keyField, `must not start with "${INTERNAL_IDEMPOTENCY_PREFIX}", which Signet reserves for its own entries`);
  }
  return { record: recordOf(request.receipt, field, context.caller), idempotencyKey: request.idempotency_key || undefined, field, keyField };
}

/** metadata is at most 4 KiB as canonical JSON; the text may carry whitespace around it. */
const METADATA_JSON_BOUNDS = { maxBytes: 16 * 1024, maxDepth: 32 };

/**
 * Only receipts are appended over the API; the other entry types are written by Signet itself.
 * `caller` is who the server authenticated (CallContext.caller), never a request field: `agent` is
 * what the caller claims, `caller` is who claimed it.
 */
function recordOf(r: ReceiptRecord__Output, field: string, caller: string): LedgerRecord {
  const type = r.type || 'receipt';
  if (!(ENTRY_TYPES as readonly string[]).includes(type)) {
    throw invalidArgument(`${field}.type`, `unknown entry type "${type}"; only "receipt" is appended over the API`);
  }
  if (type !== 'receipt') throw invalidArgument(`${field}.type`, `"${type}" entries are written by Signet itself; append "receipt" entries`);
  const record: LedgerRecord = {
    type: 'receipt',
    agent: r.agent,
    action: r.action,
    resource: r.resource,
    request_sha256: r.request_sha256,
    response_sha256: r.response_sha256,
    outcome: r.outcome,
    caller,
  };
  if (r.jti) record.jti = r.jti;
  // Bounded and I-JSON before parsing; the record checks then bound its canonical size.
  if (r.metadata_json) record.metadata = parseStrictJson(r.metadata_json, `${field}.metadata_json`, METADATA_JSON_BOUNDS);
  return record;
}

/** Idempotency keys live in the caller's namespace: its identity, opaque here; plaintext callers share one. */
function callerScope(context: CallContext): string {
  return String(context.identity || ANONYMOUS_SCOPE);
}

function pageStart(token: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(token)) throw invalidArgument('page_token', 'is not a token this server issued');
  return Number(token);
}

export function toReceipt(b: ReceiptBundle): Receipt {
  return { entry: b.entry, index: b.index, leaf_hash: b.leafHash, inclusion_proof: b.inclusionProof, checkpoint: b.checkpoint, tree_size: b.treeSize };
}

function toEntry(e: StoredEntry): Entry {
  return { index: e.index, entry: e.entry, leaf_hash: e.leafHash };
}

function toCheckpoint(c: StoredCheckpoint): Checkpoint {
  return { size: c.size, root: c.root, note: c.note };
}
