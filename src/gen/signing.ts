import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetPublicKeyRequest as _signet_v1_GetPublicKeyRequest, GetPublicKeyRequest__Output as _signet_v1_GetPublicKeyRequest__Output } from './signet/v1/GetPublicKeyRequest.js';
import type { GetPublicKeyResponse as _signet_v1_GetPublicKeyResponse, GetPublicKeyResponse__Output as _signet_v1_GetPublicKeyResponse__Output } from './signet/v1/GetPublicKeyResponse.js';
import type { ListKeysRequest as _signet_v1_ListKeysRequest, ListKeysRequest__Output as _signet_v1_ListKeysRequest__Output } from './signet/v1/ListKeysRequest.js';
import type { ListKeysResponse as _signet_v1_ListKeysResponse, ListKeysResponse__Output as _signet_v1_ListKeysResponse__Output } from './signet/v1/ListKeysResponse.js';
import type { PublicKey as _signet_v1_PublicKey, PublicKey__Output as _signet_v1_PublicKey__Output } from './signet/v1/PublicKey.js';
import type { SignBatchRequest as _signet_v1_SignBatchRequest, SignBatchRequest__Output as _signet_v1_SignBatchRequest__Output } from './signet/v1/SignBatchRequest.js';
import type { SignBatchResponse as _signet_v1_SignBatchResponse, SignBatchResponse__Output as _signet_v1_SignBatchResponse__Output } from './signet/v1/SignBatchResponse.js';
import type { SignRequest as _signet_v1_SignRequest, SignRequest__Output as _signet_v1_SignRequest__Output } from './signet/v1/SignRequest.js';
import type { SignResponse as _signet_v1_SignResponse, SignResponse__Output as _signet_v1_SignResponse__Output } from './signet/v1/SignResponse.js';
import type { SigningServiceClient as _signet_v1_SigningServiceClient, SigningServiceDefinition as _signet_v1_SigningServiceDefinition } from './signet/v1/SigningService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  signet: {
    v1: {
      Algorithm: EnumTypeDefinition
      GetPublicKeyRequest: MessageTypeDefinition<_signet_v1_GetPublicKeyRequest, _signet_v1_GetPublicKeyRequest__Output>
      GetPublicKeyResponse: MessageTypeDefinition<_signet_v1_GetPublicKeyResponse, _signet_v1_GetPublicKeyResponse__Output>
      ListKeysRequest: MessageTypeDefinition<_signet_v1_ListKeysRequest, _signet_v1_ListKeysRequest__Output>
      ListKeysResponse: MessageTypeDefinition<_signet_v1_ListKeysResponse, _signet_v1_ListKeysResponse__Output>
      PublicKey: MessageTypeDefinition<_signet_v1_PublicKey, _signet_v1_PublicKey__Output>
      SignBatchRequest: MessageTypeDefinition<_signet_v1_SignBatchRequest, _signet_v1_SignBatchRequest__Output>
      SignBatchResponse: MessageTypeDefinition<_signet_v1_SignBatchResponse, _signet_v1_SignBatchResponse__Output>
      SignRequest: MessageTypeDefinition<_signet_v1_SignRequest, _signet_v1_SignRequest__Output>
      SignResponse: MessageTypeDefinition<_signet_v1_SignResponse, _signet_v1_SignResponse__Output>
      SigningService: SubtypeConstructor<typeof grpc.Client, _signet_v1_SigningServiceClient> & { service: _signet_v1_SigningServiceDefinition }
    }
  }
}

