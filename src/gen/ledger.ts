import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddCosignatureRequest as _signet_v1_AddCosignatureRequest, AddCosignatureRequest__Output as _signet_v1_AddCosignatureRequest__Output } from './signet/v1/AddCosignatureRequest.js';
import type { AppendReceiptRequest as _signet_v1_AppendReceiptRequest, AppendReceiptRequest__Output as _signet_v1_AppendReceiptRequest__Output } from './signet/v1/AppendReceiptRequest.js';
import type { AppendReceiptsRequest as _signet_v1_AppendReceiptsRequest, AppendReceiptsRequest__Output as _signet_v1_AppendReceiptsRequest__Output } from './signet/v1/AppendReceiptsRequest.js';
import type { AppendReceiptsResponse as _signet_v1_AppendReceiptsResponse, AppendReceiptsResponse__Output as _signet_v1_AppendReceiptsResponse__Output } from './signet/v1/AppendReceiptsResponse.js';
import type { Checkpoint as _signet_v1_Checkpoint, Checkpoint__Output as _signet_v1_Checkpoint__Output } from './signet/v1/Checkpoint.js';
import type { ConsistencyProof as _signet_v1_ConsistencyProof, ConsistencyProof__Output as _signet_v1_ConsistencyProof__Output } from './signet/v1/ConsistencyProof.js';
import type { Entry as _signet_v1_Entry, Entry__Output as _signet_v1_Entry__Output } from './signet/v1/Entry.js';
import type { GetCheckpointRequest as _signet_v1_GetCheckpointRequest, GetCheckpointRequest__Output as _signet_v1_GetCheckpointRequest__Output } from './signet/v1/GetCheckpointRequest.js';
import type { GetConsistencyProofRequest as _signet_v1_GetConsistencyProofRequest, GetConsistencyProofRequest__Output as _signet_v1_GetConsistencyProofRequest__Output } from './signet/v1/GetConsistencyProofRequest.js';
import type { GetEntriesRequest as _signet_v1_GetEntriesRequest, GetEntriesRequest__Output as _signet_v1_GetEntriesRequest__Output } from './signet/v1/GetEntriesRequest.js';
import type { GetEntriesResponse as _signet_v1_GetEntriesResponse, GetEntriesResponse__Output as _signet_v1_GetEntriesResponse__Output } from './signet/v1/GetEntriesResponse.js';
import type { GetEntryRequest as _signet_v1_GetEntryRequest, GetEntryRequest__Output as _signet_v1_GetEntryRequest__Output } from './signet/v1/GetEntryRequest.js';
import type { GetInclusionProofRequest as _signet_v1_GetInclusionProofRequest, GetInclusionProofRequest__Output as _signet_v1_GetInclusionProofRequest__Output } from './signet/v1/GetInclusionProofRequest.js';
import type { InclusionProof as _signet_v1_InclusionProof, InclusionProof__Output as _signet_v1_InclusionProof__Output } from './signet/v1/InclusionProof.js';
import type { LedgerServiceClient as _signet_v1_LedgerServiceClient, LedgerServiceDefinition as _signet_v1_LedgerServiceDefinition } from './signet/v1/LedgerService.js';
import type { Receipt as _signet_v1_Receipt, Receipt__Output as _signet_v1_Receipt__Output } from './signet/v1/Receipt.js';
import type { ReceiptRecord as _signet_v1_ReceiptRecord, ReceiptRecord__Output as _signet_v1_ReceiptRecord__Output } from './signet/v1/ReceiptRecord.js';
import type { VerifyChainRequest as _signet_v1_VerifyChainRequest, VerifyChainRequest__Output as _signet_v1_VerifyChainRequest__Output } from './signet/v1/VerifyChainRequest.js';
import type { VerifyChainResponse as _signet_v1_VerifyChainResponse, VerifyChainResponse__Output as _signet_v1_VerifyChainResponse__Output } from './signet/v1/VerifyChainResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  signet: {
    v1: {
      AddCosignatureRequest: MessageTypeDefinition<_signet_v1_AddCosignatureRequest, _signet_v1_AddCosignatureRequest__Output>
      AppendReceiptRequest: MessageTypeDefinition<_signet_v1_AppendReceiptRequest, _signet_v1_AppendReceiptRequest__Output>
      AppendReceiptsRequest: MessageTypeDefinition<_signet_v1_AppendReceiptsRequest, _signet_v1_AppendReceiptsRequest__Output>
      AppendReceiptsResponse: MessageTypeDefinition<_signet_v1_AppendReceiptsResponse, _signet_v1_AppendReceiptsResponse__Output>
      Checkpoint: MessageTypeDefinition<_signet_v1_Checkpoint, _signet_v1_Checkpoint__Output>
      ConsistencyProof: MessageTypeDefinition<_signet_v1_ConsistencyProof, _signet_v1_ConsistencyProof__Output>
      Entry: MessageTypeDefinition<_signet_v1_Entry, _signet_v1_Entry__Output>
      GetCheckpointRequest: MessageTypeDefinition<_signet_v1_GetCheckpointRequest, _signet_v1_GetCheckpointRequest__Output>
      GetConsistencyProofRequest: MessageTypeDefinition<_signet_v1_GetConsistencyProofRequest, _signet_v1_GetConsistencyProofRequest__Output>
      GetEntriesRequest: MessageTypeDefinition<_signet_v1_GetEntriesRequest, _signet_v1_GetEntriesRequest__Output>
      GetEntriesResponse: MessageTypeDefinition<_signet_v1_GetEntriesResponse, _signet_v1_GetEntriesResponse__Output>
      GetEntryRequest: MessageTypeDefinition<_signet_v1_GetEntryRequest, _signet_v1_GetEntryRequest__Output>
      GetInclusionProofRequest: MessageTypeDefinition<_signet_v1_GetInclusionProofRequest, _signet_v1_GetInclusionProofRequest__Output>
      InclusionProof: MessageTypeDefinition<_signet_v1_InclusionProof, _signet_v1_InclusionProof__Output>
      LedgerService: SubtypeConstructor<typeof grpc.Client, _signet_v1_LedgerServiceClient> & { service: _signet_v1_LedgerServiceDefinition }
      Receipt: MessageTypeDefinition<_signet_v1_Receipt, _signet_v1_Receipt__Output>
      ReceiptRecord: MessageTypeDefinition<_signet_v1_ReceiptRecord, _signet_v1_ReceiptRecord__Output>
      VerifyChainRequest: MessageTypeDefinition<_signet_v1_VerifyChainRequest, _signet_v1_VerifyChainRequest__Output>
      VerifyChainResponse: MessageTypeDefinition<_signet_v1_VerifyChainResponse, _signet_v1_VerifyChainResponse__Output>
    }
  }
}

