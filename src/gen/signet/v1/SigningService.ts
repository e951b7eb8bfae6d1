// Original file: proto/signet/v1/signing.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetPublicKeyRequest as _signet_v1_GetPublicKeyRequest, GetPublicKeyRequest__Output as _signet_v1_GetPublicKeyRequest__Output } from '../../signet/v1/GetPublicKeyRequest.js';
import type { GetPublicKeyResponse as _signet_v1_GetPublicKeyResponse, GetPublicKeyResponse__Output as _signet_v1_GetPublicKeyResponse__Output } from '../../signet/v1/GetPublicKeyResponse.js';
import type { ListKeysRequest as _signet_v1_ListKeysRequest, ListKeysRequest__Output as _signet_v1_ListKeysRequest__Output } from '../../signet/v1/ListKeysRequest.js';
import type { ListKeysResponse as _signet_v1_ListKeysResponse, ListKeysResponse__Output as _signet_v1_ListKeysResponse__Output } from '../../signet/v1/ListKeysResponse.js';
import type { SignBatchRequest as _signet_v1_SignBatchRequest, SignBatchRequest__Output as _signet_v1_SignBatchRequest__Output } from '../../signet/v1/SignBatchRequest.js';
import type { SignBatchResponse as _signet_v1_SignBatchResponse, SignBatchResponse__Output as _signet_v1_SignBatchResponse__Output } from '../../signet/v1/SignBatchResponse.js';
import type { SignRequest as _signet_v1_SignRequest, SignRequest__Output as _signet_v1_SignRequest__Output } from '../../signet/v1/SignRequest.js';
import type { SignResponse as _signet_v1_SignResponse, SignResponse__Output as _signet_v1_SignResponse__Output } from '../../signet/v1/SignResponse.js';

export interface SigningServiceClient extends grpc.Client {
  GetPublicKey(argument: _signet_v1_GetPublicKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  GetPublicKey(argument: _signet_v1_GetPublicKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  GetPublicKey(argument: _signet_v1_GetPublicKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  GetPublicKey(argument: _signet_v1_GetPublicKeyRequest, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  getPublicKey(argument: _signet_v1_GetPublicKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  getPublicKey(argument: _signet_v1_GetPublicKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  getPublicKey(argument: _signet_v1_GetPublicKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  getPublicKey(argument: _signet_v1_GetPublicKeyRequest, callback: grpc.requestCallback<_signet_v1_GetPublicKeyResponse__Output>): grpc.ClientUnaryCall;
  
  ListKeys(argument: _signet_v1_ListKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _signet_v1_ListKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _signet_v1_ListKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _signet_v1_ListKeysRequest, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _signet_v1_ListKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _signet_v1_ListKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _signet_v1_ListKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _signet_v1_ListKeysRequest, callback: grpc.requestCallback<_signet_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  
  Sign(argument: _signet_v1_SignRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  Sign(argument: _signet_v1_SignRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  Sign(argument: _signet_v1_SignRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  Sign(argument: _signet_v1_SignRequest, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  sign(argument: _signet_v1_SignRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  sign(argument: _signet_v1_SignRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  sign(argument: _signet_v1_SignRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  sign(argument: _signet_v1_SignRequest, callback: grpc.requestCallback<_signet_v1_SignResponse__Output>): grpc.ClientUnaryCall;
  
  SignBatch(argument: _signet_v1_SignBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  SignBatch(argument: _signet_v1_SignBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  SignBatch(argument: _signet_v1_SignBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  SignBatch(argument: _signet_v1_SignBatchRequest, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  signBatch(argument: _signet_v1_SignBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  signBatch(argument: _signet_v1_SignBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  signBatch(argument: _signet_v1_SignBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  signBatch(argument: _signet_v1_SignBatchRequest, callback: grpc.requestCallback<_signet_v1_SignBatchResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface SigningServiceHandlers extends grpc.UntypedServiceImplementation {
  GetPublicKey: grpc.handleUnaryCall<_signet_v1_GetPublicKeyRequest__Output, _signet_v1_GetPublicKeyResponse>;
  
  ListKeys: grpc.handleUnaryCall<_signet_v1_ListKeysRequest__Output, _signet_v1_ListKeysResponse>;
  
  Sign: grpc.handleUnaryCall<_signet_v1_SignRequest__Output, _signet_v1_SignResponse>;
  
  SignBatch: grpc.handleUnaryCall<_signet_v1_SignBatchRequest__Output, _signet_v1_SignBatchResponse>;
  
}

export interface SigningServiceDefinition extends grpc.ServiceDefinition {
  GetPublicKey: MethodDefinition<_signet_v1_GetPublicKeyRequest, _signet_v1_GetPublicKeyResponse, _signet_v1_GetPublicKeyRequest__Output, _signet_v1_GetPublicKeyResponse__Output>
  ListKeys: MethodDefinition<_signet_v1_ListKeysRequest, _signet_v1_ListKeysResponse, _signet_v1_ListKeysRequest__Output, _signet_v1_ListKeysResponse__Output>
  Sign: MethodDefinition<_signet_v1_SignRequest, _signet_v1_SignResponse, _signet_v1_SignRequest__Output, _signet_v1_SignResponse__Output>
  SignBatch: MethodDefinition<_signet_v1_SignBatchRequest, _signet_v1_SignBatchResponse, _signet_v1_SignBatchRequest__Output, _signet_v1_SignBatchResponse__Output>
}
