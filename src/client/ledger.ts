// A typed, promise-returning client for signet.v1.LedgerService.
// Each method is one unary call; errors reject with the grpc.ServiceError.
import type * as grpc from '@grpc/grpc-js';
import type { AppendReceiptRequest } from '../gen/signet/v1/AppendReceiptRequest.js';
import type { AppendReceiptsRequest } from '../gen/signet/v1/AppendReceiptsRequest.js';
import type { AppendReceiptsResponse__Output } from '../gen/signet/v1/AppendReceiptsResponse.js';
import type { Checkpoint__Output } from '../gen/signet/v1/Checkpoint.js';
import type { ConsistencyProof__Output } from '../gen/signet/v1/ConsistencyProof.js';
import type { Entry__Output } from '../gen/signet/v1/Entry.js';
import type { GetCheckpointRequest } from '../gen/signet/v1/GetCheckpointRequest.js';
import type { GetConsistencyProofRequest } from '../gen/signet/v1/GetConsistencyProofRequest.js';
import type { GetEntriesRequest } from '../gen/signet/v1/GetEntriesRequest.js';
import type { GetEntriesResponse__Output } from '../gen/signet/v1/GetEntriesResponse.js';
import type { GetEntryRequest } from '../gen/signet/v1/GetEntryRequest.js';
import type { GetInclusionProofRequest } from '../gen/signet/v1/GetInclusionProofRequest.js';
import type { InclusionProof__Output } from '../gen/signet/v1/InclusionProof.js';
import type { LedgerServiceClient } from '../gen/signet/v1/LedgerService.js';
import type { Receipt__Output } from '../gen/signet/v1/Receipt.js';
import type { VerifyChainRequest } from '../gen/signet/v1/VerifyChainRequest.js';
import type { VerifyChainResponse__Output } from '../gen/signet/v1/VerifyChainResponse.js';
import { serviceClient, unary, type CallOptions, type ClientOptions } from './grpc.js';

export interface LedgerApi {
  readonly grpc: LedgerServiceClient;
  appendReceipt(req: AppendReceiptRequest, options?: CallOptions): Promise<Receipt__Output>;
  appendReceipts(req: AppendReceiptsRequest, options?: CallOptions): Promise<AppendReceiptsResponse__Output>;
  getEntry(req: GetEntryRequest, options?: CallOptions): Promise<Entry__Output>;
  getEntries(req: GetEntriesRequest, options?: CallOptions): Promise<GetEntriesResponse__Output>;
  getCheckpoint(req: GetCheckpointRequest, options?: CallOptions): Promise<Checkpoint__Output>;
  getInclusionProof(req: GetInclusionProofRequest, options?: CallOptions): Promise<InclusionProof__Output>;
  getConsistencyProof(req: GetConsistencyProofRequest, options?: CallOptions): Promise<ConsistencyProof__Output>;
  verifyChain(req: VerifyChainRequest, options?: CallOptions): Promise<VerifyChainResponse__Output>;
  close(): void;
}

export function ledgerClient(address: string, options: ClientOptions = {}): LedgerApi {
  const client = serviceClient<LedgerServiceClient>('signet.v1.LedgerService', address, options);
  const call =
    <Req, Res>(method: keyof LedgerServiceClient) =>
    (req: Req, callOptions?: CallOptions): Promise<Res> =>
      unary<Req, Res>(client, client[method] as never, req, callOptions);
  return {
    grpc: client,
    appendReceipt: call('AppendReceipt'),
    appendReceipts: call('AppendReceipts'),
    getEntry: call('GetEntry'),
    getEntries: call('GetEntries'),
    getCheckpoint: call('GetCheckpoint'),
    getInclusionProof: call('GetInclusionProof'),
    getConsistencyProof: call('GetConsistencyProof'),
    verifyChain: call('VerifyChain'),
    close: () => (client as unknown as grpc.Client).close(),
  };
}
