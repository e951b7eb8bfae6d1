// Original file: proto/signet/v1/ledger.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddCosignatureRequest as _signet_v1_AddCosignatureRequest, AddCosignatureRequest__Output as _signet_v1_AddCosignatureRequest__Output } from '../../signet/v1/AddCosignatureRequest.js';
import type { AppendReceiptRequest as _signet_v1_AppendReceiptRequest, AppendReceiptRequest__Output as _signet_v1_AppendReceiptRequest__Output } from '../../signet/v1/AppendReceiptRequest.js';
import type { AppendReceiptsRequest as _signet_v1_AppendReceiptsRequest, AppendReceiptsRequest__Output as _signet_v1_AppendReceiptsRequest__Output } from '../../signet/v1/AppendReceiptsRequest.js';
import type { AppendReceiptsResponse as _signet_v1_AppendReceiptsResponse, AppendReceiptsResponse__Output as _signet_v1_AppendReceiptsResponse__Output } from '../../signet/v1/AppendReceiptsResponse.js';
import type { Checkpoint as _signet_v1_Checkpoint, Checkpoint__Output as _signet_v1_Checkpoint__Output } from '../../signet/v1/Checkpoint.js';
import type { ConsistencyProof as _signet_v1_ConsistencyProof, ConsistencyProof__Output as _signet_v1_ConsistencyProof__Output } from '../../signet/v1/ConsistencyProof.js';
import type { Entry as _signet_v1_Entry, Entry__Output as _signet_v1_Entry__Output } from '../../signet/v1/Entry.js';
import type { GetCheckpointRequest as _signet_v1_GetCheckpointRequest, GetCheckpointRequest__Output as _signet_v1_GetCheckpointRequest__Output } from '../../signet/v1/GetCheckpointRequest.js';
import type { GetConsistencyProofRequest as _signet_v1_GetConsistencyProofRequest, GetConsistencyProofRequest__Output as _signet_v1_GetConsistencyProofRequest__Output } from '../../signet/v1/GetConsistencyProofRequest.js';
import type { GetEntriesRequest as _signet_v1_GetEntriesRequest, GetEntriesRequest__Output as _signet_v1_GetEntriesRequest__Output } from '../../signet/v1/GetEntriesRequest.js';
import type { GetEntriesResponse as _signet_v1_GetEntriesResponse, GetEntriesResponse__Output as _signet_v1_GetEntriesResponse__Output } from '../../signet/v1/GetEntriesResponse.js';
import type { GetEntryRequest as _signet_v1_GetEntryRequest, GetEntryRequest__Output as _signet_v1_GetEntryRequest__Output } from '../../signet/v1/GetEntryRequest.js';
import type { GetInclusionProofRequest as _signet_v1_GetInclusionProofRequest, GetInclusionProofRequest__Output as _signet_v1_GetInclusionProofRequest__Output } from '../../signet/v1/GetInclusionProofRequest.js';
import type { InclusionProof as _signet_v1_InclusionProof, InclusionProof__Output as _signet_v1_InclusionProof__Output } from '../../signet/v1/InclusionProof.js';
import type { Receipt as _signet_v1_Receipt, Receipt__Output as _signet_v1_Receipt__Output } from '../../signet/v1/Receipt.js';
import type { VerifyChainRequest as _signet_v1_VerifyChainRequest, VerifyChainRequest__Output as _signet_v1_VerifyChainRequest__Output } from '../../signet/v1/VerifyChainRequest.js';
import type { VerifyChainResponse as _signet_v1_VerifyChainResponse, VerifyChainResponse__Output as _signet_v1_VerifyChainResponse__Output } from '../../signet/v1/VerifyChainResponse.js';

export interface LedgerServiceClient extends grpc.Client {
  AddCosignature(argument: _signet_v1_AddCosignatureRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  AddCosignature(argument: _signet_v1_AddCosignatureRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  AddCosignature(argument: _signet_v1_AddCosignatureRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  AddCosignature(argument: _signet_v1_AddCosignatureRequest, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  addCosignature(argument: _signet_v1_AddCosignatureRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  addCosignature(argument: _signet_v1_AddCosignatureRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  addCosignature(argument: _signet_v1_AddCosignatureRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  addCosignature(argument: _signet_v1_AddCosignatureRequest, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  
  AppendReceipt(argument: _signet_v1_AppendReceiptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  AppendReceipt(argument: _signet_v1_AppendReceiptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  AppendReceipt(argument: _signet_v1_AppendReceiptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  AppendReceipt(argument: _signet_v1_AppendReceiptRequest, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  appendReceipt(argument: _signet_v1_AppendReceiptRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  appendReceipt(argument: _signet_v1_AppendReceiptRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  appendReceipt(argument: _signet_v1_AppendReceiptRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  appendReceipt(argument: _signet_v1_AppendReceiptRequest, callback: grpc.requestCallback<_signet_v1_Receipt__Output>): grpc.ClientUnaryCall;
  
  AppendReceipts(argument: _signet_v1_AppendReceiptsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  AppendReceipts(argument: _signet_v1_AppendReceiptsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  AppendReceipts(argument: _signet_v1_AppendReceiptsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  AppendReceipts(argument: _signet_v1_AppendReceiptsRequest, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  appendReceipts(argument: _signet_v1_AppendReceiptsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  appendReceipts(argument: _signet_v1_AppendReceiptsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  appendReceipts(argument: _signet_v1_AppendReceiptsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  appendReceipts(argument: _signet_v1_AppendReceiptsRequest, callback: grpc.requestCallback<_signet_v1_AppendReceiptsResponse__Output>): grpc.ClientUnaryCall;
  
  GetCheckpoint(argument: _signet_v1_GetCheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _signet_v1_GetCheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _signet_v1_GetCheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  GetCheckpoint(argument: _signet_v1_GetCheckpointRequest, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _signet_v1_GetCheckpointRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _signet_v1_GetCheckpointRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _signet_v1_GetCheckpointRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  getCheckpoint(argument: _signet_v1_GetCheckpointRequest, callback: grpc.requestCallback<_signet_v1_Checkpoint__Output>): grpc.ClientUnaryCall;
  
  GetConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  GetConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  getConsistencyProof(argument: _signet_v1_GetConsistencyProofRequest, callback: grpc.requestCallback<_signet_v1_ConsistencyProof__Output>): grpc.ClientUnaryCall;
  
  GetEntries(argument: _signet_v1_GetEntriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  GetEntries(argument: _signet_v1_GetEntriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  GetEntries(argument: _signet_v1_GetEntriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  GetEntries(argument: _signet_v1_GetEntriesRequest, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  getEntries(argument: _signet_v1_GetEntriesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  getEntries(argument: _signet_v1_GetEntriesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  getEntries(argument: _signet_v1_GetEntriesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  getEntries(argument: _signet_v1_GetEntriesRequest, callback: grpc.requestCallback<_signet_v1_GetEntriesResponse__Output>): grpc.ClientUnaryCall;
  
  GetEntry(argument: _signet_v1_GetEntryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  GetEntry(argument: _signet_v1_GetEntryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  GetEntry(argument: _signet_v1_GetEntryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  GetEntry(argument: _signet_v1_GetEntryRequest, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  getEntry(argument: _signet_v1_GetEntryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  getEntry(argument: _signet_v1_GetEntryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  getEntry(argument: _signet_v1_GetEntryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  getEntry(argument: _signet_v1_GetEntryRequest, callback: grpc.requestCallback<_signet_v1_Entry__Output>): grpc.ClientUnaryCall;
  
  GetInclusionProof(argument: _signet_v1_GetInclusionProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _signet_v1_GetInclusionProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _signet_v1_GetInclusionProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  GetInclusionProof(argument: _signet_v1_GetInclusionProofRequest, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _signet_v1_GetInclusionProofRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _signet_v1_GetInclusionProofRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _signet_v1_GetInclusionProofRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  getInclusionProof(argument: _signet_v1_GetInclusionProofRequest, callback: grpc.requestCallback<_signet_v1_InclusionProof__Output>): grpc.ClientUnaryCall;
  
  VerifyChain(argument: _signet_v1_VerifyChainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  VerifyChain(argument: _signet_v1_VerifyChainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  VerifyChain(argument: _signet_v1_VerifyChainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  VerifyChain(argument: _signet_v1_VerifyChainRequest, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  verifyChain(argument: _signet_v1_VerifyChainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  verifyChain(argument: _signet_v1_VerifyChainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  verifyChain(argument: _signet_v1_VerifyChainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  verifyChain(argument: _signet_v1_VerifyChainRequest, callback: grpc.requestCallback<_signet_v1_VerifyChainResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface LedgerServiceHandlers extends grpc.UntypedServiceImplementation {
  AddCosignature: grpc.handleUnaryCall<_signet_v1_AddCosignatureRequest__Output, _signet_v1_Checkpoint>;
  
  AppendReceipt: grpc.handleUnaryCall<_signet_v1_AppendReceiptRequest__Output, _signet_v1_Receipt>;
  
  AppendReceipts: grpc.handleUnaryCall<_signet_v1_AppendReceiptsRequest__Output, _signet_v1_AppendReceiptsResponse>;
  
  GetCheckpoint: grpc.handleUnaryCall<_signet_v1_GetCheckpointRequest__Output, _signet_v1_Checkpoint>;
  
  GetConsistencyProof: grpc.handleUnaryCall<_signet_v1_GetConsistencyProofRequest__Output, _signet_v1_ConsistencyProof>;
  
  GetEntries: grpc.handleUnaryCall<_signet_v1_GetEntriesRequest__Output, _signet_v1_GetEntriesResponse>;
  
  GetEntry: grpc.handleUnaryCall<_signet_v1_GetEntryRequest__Output, _signet_v1_Entry>;
  
  GetInclusionProof: grpc.handleUnaryCall<_signet_v1_GetInclusionProofRequest__Output, _signet_v1_InclusionProof>;
  
  VerifyChain: grpc.handleUnaryCall<_signet_v1_VerifyChainRequest__Output, _signet_v1_VerifyChainResponse>;
  
}

export interface LedgerServiceDefinition extends grpc.ServiceDefinition {
  AddCosignature: MethodDefinition<_signet_v1_AddCosignatureRequest, _signet_v1_Checkpoint, _signet_v1_AddCosignatureRequest__Output, _signet_v1_Checkpoint__Output>
  AppendReceipt: MethodDefinition<_signet_v1_AppendReceiptRequest, _signet_v1_Receipt, _signet_v1_AppendReceiptRequest__Output, _signet_v1_Receipt__Output>
  AppendReceipts: MethodDefinition<_signet_v1_AppendReceiptsRequest, _signet_v1_AppendReceiptsResponse, _signet_v1_AppendReceiptsRequest__Output, _signet_v1_AppendReceiptsResponse__Output>
  GetCheckpoint: MethodDefinition<_signet_v1_GetCheckpointRequest, _signet_v1_Checkpoint, _signet_v1_GetCheckpointRequest__Output, _signet_v1_Checkpoint__Output>
  GetConsistencyProof: MethodDefinition<_signet_v1_GetConsistencyProofRequest, _signet_v1_ConsistencyProof, _signet_v1_GetConsistencyProofRequest__Output, _signet_v1_ConsistencyProof__Output>
  GetEntries: MethodDefinition<_signet_v1_GetEntriesRequest, _signet_v1_GetEntriesResponse, _signet_v1_GetEntriesRequest__Output, _signet_v1_GetEntriesResponse__Output>
  GetEntry: MethodDefinition<_signet_v1_GetEntryRequest, _signet_v1_Entry, _signet_v1_GetEntryRequest__Output, _signet_v1_Entry__Output>
  GetInclusionProof: MethodDefinition<_signet_v1_GetInclusionProofRequest, _signet_v1_InclusionProof, _signet_v1_GetInclusionProofRequest__Output, _signet_v1_InclusionProof__Output>
  VerifyChain: MethodDefinition<_signet_v1_VerifyChainRequest, _signet_v1_VerifyChainResponse, _signet_v1_VerifyChainRequest__Output, _signet_v1_VerifyChainResponse__Output>
}
