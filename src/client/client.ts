// The typed Signet client: one object for SigningService, LedgerService and CredentialService,
// every RPC as a promise, a default deadline on every call, retries only where they are safe.
import type * as grpc from '@grpc/grpc-js';
import type { AddCosignatureRequest } from '../gen/signet/v1/AddCosignatureRequest.js';
import type { AppendReceiptRequest } from '../gen/signet/v1/AppendReceiptRequest.js';
import type { AppendReceiptsRequest } from '../gen/signet/v1/AppendReceiptsRequest.js';
import type { AppendReceiptsResponse__Output } from '../gen/signet/v1/AppendReceiptsResponse.js';
import type { Agent__Output } from '../gen/signet/v1/Agent.js';
import type { AuthorizeRequest } from '../gen/signet/v1/AuthorizeRequest.js';
import type { AuthorizeResponse__Output } from '../gen/signet/v1/AuthorizeResponse.js';
import type { Checkpoint__Output } from '../gen/signet/v1/Checkpoint.js';
import type { ConsistencyProof__Output } from '../gen/signet/v1/ConsistencyProof.js';
import type { Entry__Output } from '../gen/signet/v1/Entry.js';
import type { GetAgentRequest } from '../gen/signet/v1/GetAgentRequest.js';
import type { GetCheckpointRequest } from '../gen/signet/v1/GetCheckpointRequest.js';
import type { GetConsistencyProofRequest } from '../gen/signet/v1/GetConsistencyProofRequest.js';
import type { GetEntriesRequest } from '../gen/signet/v1/GetEntriesRequest.js';
import type { GetEntriesResponse__Output } from '../gen/signet/v1/GetEntriesResponse.js';
import type { GetEntryRequest } from '../gen/signet/v1/GetEntryRequest.js';
import type { GetInclusionProofRequest } from '../gen/signet/v1/GetInclusionProofRequest.js';
import type { GetJwksRequest } from '../gen/signet/v1/GetJwksRequest.js';
import type { GetJwksResponse__Output } from '../gen/signet/v1/GetJwksResponse.js';
import type { GetPublicKeyRequest } from '../gen/signet/v1/GetPublicKeyRequest.js';
import type { GetPublicKeyResponse__Output } from '../gen/signet/v1/GetPublicKeyResponse.js';
import type { InclusionProof__Output } from '../gen/signet/v1/InclusionProof.js';
import type { IssuePassportRequest } from '../gen/signet/v1/IssuePassportRequest.js';
import type { IssuePassportResponse__Output } from '../gen/signet/v1/IssuePassportResponse.js';
import type { IssueRequest } from '../gen/signet/v1/IssueRequest.js';
import type { IssueResponse__Output } from '../gen/signet/v1/IssueResponse.js';
import type { ListAgentsRequest } from '../gen/signet/v1/ListAgentsRequest.js';
import type { ListAgentsResponse__Output } from '../gen/signet/v1/ListAgentsResponse.js';
import type { ListKeysRequest } from '../gen/signet/v1/ListKeysRequest.js';
import type { ListKeysResponse__Output } from '../gen/signet/v1/ListKeysResponse.js';
import type { Receipt__Output } from '../gen/signet/v1/Receipt.js';
import type { RegisterAgentRequest } from '../gen/signet/v1/RegisterAgentRequest.js';
import type { RevokeAgentRequest } from '../gen/signet/v1/RevokeAgentRequest.js';
import type { RevokeCredentialRequest } from '../gen/signet/v1/RevokeCredentialRequest.js';
import type { RevokeCredentialResponse__Output } from '../gen/signet/v1/RevokeCredentialResponse.js';
import type { RevokeGroupRequest } from '../gen/signet/v1/RevokeGroupRequest.js';
import type { RevokeGroupResponse__Output } from '../gen/signet/v1/RevokeGroupResponse.js';
import type { SignBatchRequest } from '../gen/signet/v1/SignBatchRequest.js';
import type { SignBatchResponse__Output } from '../gen/signet/v1/SignBatchResponse.js';
import type { SignRequest } from '../gen/signet/v1/SignRequest.js';
import type { SignResponse__Output } from '../gen/signet/v1/SignResponse.js';
import type { VerifyChainRequest } from '../gen/signet/v1/VerifyChainRequest.js';
import type { VerifyChainResponse__Output } from '../gen/signet/v1/VerifyChainResponse.js';
import type { VerifyCredentialRequest } from '../gen/signet/v1/VerifyCredentialRequest.js';
import type { VerifyCredentialResponse__Output } from '../gen/signet/v1/VerifyCredentialResponse.js';
import type { VerifyPassportRequest } from '../gen/signet/v1/VerifyPassportRequest.js';
import type { VerifyPassportResponse__Output } from '../gen/signet/v1/VerifyPassportResponse.js';
import { unaryCall, type CallOptions, type RetryOptions } from './call.js';
import { channelCredentials, type ChannelConfig } from './channel.js';
import { serviceClient } from './grpc.js';

export type { CallOptions, RetryOptions } from './call.js';

export interface SignetClientOptions extends ChannelConfig {
  /** Deadline of every call that does not give its own, ms. Default 10 000. */
  deadlineMs?: number;
  /** Retries of safe calls (reads, appends with an idempotency key); `false` turns them off. */
  retry?: RetryOptions | false;
}

type Rpc<Req, Res> = (request: Req, options?: CallOptions) => Promise<Res>;

export interface SigningApi {
  sign: Rpc<SignRequest, SignResponse__Output>;
  signBatch: Rpc<SignBatchRequest, SignBatchResponse__Output>;
  getPublicKey: Rpc<GetPublicKeyRequest, GetPublicKeyResponse__Output>;
  listKeys: Rpc<ListKeysRequest, ListKeysResponse__Output>;
}

export interface LedgerApi {
  /** Retried on UNAVAILABLE / RESOURCE_EXHAUSTED only when it carries an idempotency_key. */
  appendReceipt: Rpc<AppendReceiptRequest, Receipt__Output>;
  /** Retried only when every receipt carries an idempotency_key. */
  appendReceipts: Rpc<AppendReceiptsRequest, AppendReceiptsResponse__Output>;
  getEntry: Rpc<GetEntryRequest, Entry__Output>;
  getEntries: Rpc<GetEntriesRequest, GetEntriesResponse__Output>;
  getCheckpoint: Rpc<GetCheckpointRequest, Checkpoint__Output>;
  getInclusionProof: Rpc<GetInclusionProofRequest, InclusionProof__Output>;
  getConsistencyProof: Rpc<GetConsistencyProofRequest, ConsistencyProof__Output>;
  verifyChain: Rpc<VerifyChainRequest, VerifyChainResponse__Output>;
  /** A witness hands in its cosignature; retried (the same line is kept once). */
  addCosignature: Rpc<AddCosignatureRequest, Checkpoint__Output>;
}

export interface CredentialApi {
  registerAgent: Rpc<RegisterAgentRequest, Agent__Output>;
  getAgent: Rpc<GetAgentRequest, Agent__Output>;
  listAgents: Rpc<ListAgentsRequest, ListAgentsResponse__Output>;
  revokeAgent: Rpc<RevokeAgentRequest, Agent__Output>;
  revokeGroup: Rpc<RevokeGroupRequest, RevokeGroupResponse__Output>;
  authorize: Rpc<AuthorizeRequest, AuthorizeResponse__Output>;
  issue: Rpc<IssueRequest, IssueResponse__Output>;
  verifyCredential: Rpc<VerifyCredentialRequest, VerifyCredentialResponse__Output>;
  revokeCredential: Rpc<RevokeCredentialRequest, RevokeCredentialResponse__Output>;
  getJwks: Rpc<GetJwksRequest, GetJwksResponse__Output>;
  issuePassport: Rpc<IssuePassportRequest, IssuePassportResponse__Output>;
  verifyPassport: Rpc<VerifyPassportRequest, VerifyPassportResponse__Output>;
}

/** Whether a request may be sent again: always (a read), never, or when it says so. */
type Safety = 'read' | 'never' | ((request: any) => boolean);

const keyed = (r: AppendReceiptRequest | undefined): boolean => typeof r?.idempotency_key === 'string' && r.idempotency_key.length > 0;

// Writes that record something (Authorize's denials, VerifyCredential's verification entries,
// revocations, issuances) are never retried: a second attempt would record it twice.
const SERVICES = {
  'signet.v1.SigningService': { Sign: 'never', SignBatch: 'never', GetPublicKey: 'read', ListKeys: 'read' },
  'signet.v1.LedgerService': {
    AppendReceipt: (r: AppendReceiptRequest) => keyed(r),
    AppendReceipts: (r: AppendReceiptsRequest) => Array.isArray(r.receipts) && r.receipts.length > 0 && r.receipts.every(keyed),
    GetEntry: 'read',
    GetEntries: 'read',
    GetCheckpoint: 'read',
    GetInclusionProof: 'read',
    GetConsistencyProof: 'read',
    VerifyChain: 'read',
    // Idempotent: a cosignature line accepted twice is kept once.
    AddCosignature: 'read',
  },
  'signet.v1.CredentialService': {
    RegisterAgent: 'never',
    GetAgent: 'read',
    ListAgents: 'read',
    RevokeAgent: 'never',
    RevokeGroup: 'never',
    Authorize: 'never',
    Issue: 'never',
    VerifyCredential: 'never',
    RevokeCredential: 'never',
    GetJwks: 'read',
    IssuePassport: 'never',
    VerifyPassport: 'read',
  },
} satisfies Record<string, Record<string, Safety>>;

const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 2000 };

const lowerFirst = (name: string) => name[0]!.toLowerCase() + name.slice(1);

export class SignetClient {
  readonly signing: SigningApi;
  readonly ledger: LedgerApi;
  readonly credentials: CredentialApi;
  readonly #stubs: grpc.Client[] = [];

  constructor(options: SignetClientOptions) {
    const { credentials, options: channelOptions } = channelCredentials(options);
    const retry = options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) throw new TypeError('signet client: retry.maxAttempts must be a whole number ≥ 1');
    const defaults = { deadlineMs: options.deadlineMs ?? 10_000, retry };
    const api = (service: keyof typeof SERVICES) => {
      const client = serviceClient(service, options.address, { credentials, channelOptions });
      this.#stubs.push(client);
      const methods: Record<string, Rpc<unknown, unknown>> = {};
      for (const [name, safety] of Object.entries(SERVICES[service]) as [string, Safety][]) {
        const method = `${service}/${name}`;
        methods[lowerFirst(name)] = (request, callOptions = {}) => {
          const retryable = safety === 'read' || (typeof safety === 'function' && safety(request));
          return unaryCall({ client, method, name, retryable }, request ?? {}, callOptions, defaults);
        };
      }
      return methods;
    };
    this.signing = api('signet.v1.SigningService') as unknown as SigningApi;
    this.ledger = api('signet.v1.LedgerService') as unknown as LedgerApi;
    this.credentials = api('signet.v1.CredentialService') as unknown as CredentialApi;
  }

  /** Resolves once the channel is connected (or rejects after `timeoutMs`). */
  waitForReady(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return Promise.all(this.#stubs.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(deadline, (err) => (err ? reject(err) : resolve()))))).then(() => {});
  }

  close(): void {
    for (const stub of this.#stubs) stub.close();
  }
}
