// Original file: proto/signet/v1/credentials.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Agent as _signet_v1_Agent, Agent__Output as _signet_v1_Agent__Output } from '../../signet/v1/Agent.js';
import type { AuthorizeRequest as _signet_v1_AuthorizeRequest, AuthorizeRequest__Output as _signet_v1_AuthorizeRequest__Output } from '../../signet/v1/AuthorizeRequest.js';
import type { AuthorizeResponse as _signet_v1_AuthorizeResponse, AuthorizeResponse__Output as _signet_v1_AuthorizeResponse__Output } from '../../signet/v1/AuthorizeResponse.js';
import type { GetAgentRequest as _signet_v1_GetAgentRequest, GetAgentRequest__Output as _signet_v1_GetAgentRequest__Output } from '../../signet/v1/GetAgentRequest.js';
import type { GetJwksRequest as _signet_v1_GetJwksRequest, GetJwksRequest__Output as _signet_v1_GetJwksRequest__Output } from '../../signet/v1/GetJwksRequest.js';
import type { GetJwksResponse as _signet_v1_GetJwksResponse, GetJwksResponse__Output as _signet_v1_GetJwksResponse__Output } from '../../signet/v1/GetJwksResponse.js';
import type { IssuePassportRequest as _signet_v1_IssuePassportRequest, IssuePassportRequest__Output as _signet_v1_IssuePassportRequest__Output } from '../../signet/v1/IssuePassportRequest.js';
import type { IssuePassportResponse as _signet_v1_IssuePassportResponse, IssuePassportResponse__Output as _signet_v1_IssuePassportResponse__Output } from '../../signet/v1/IssuePassportResponse.js';
import type { IssueRequest as _signet_v1_IssueRequest, IssueRequest__Output as _signet_v1_IssueRequest__Output } from '../../signet/v1/IssueRequest.js';
import type { IssueResponse as _signet_v1_IssueResponse, IssueResponse__Output as _signet_v1_IssueResponse__Output } from '../../signet/v1/IssueResponse.js';
import type { ListAgentsRequest as _signet_v1_ListAgentsRequest, ListAgentsRequest__Output as _signet_v1_ListAgentsRequest__Output } from '../../signet/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _signet_v1_ListAgentsResponse, ListAgentsResponse__Output as _signet_v1_ListAgentsResponse__Output } from '../../signet/v1/ListAgentsResponse.js';
import type { RegisterAgentRequest as _signet_v1_RegisterAgentRequest, RegisterAgentRequest__Output as _signet_v1_RegisterAgentRequest__Output } from '../../signet/v1/RegisterAgentRequest.js';
import type { RevokeAgentRequest as _signet_v1_RevokeAgentRequest, RevokeAgentRequest__Output as _signet_v1_RevokeAgentRequest__Output } from '../../signet/v1/RevokeAgentRequest.js';
import type { RevokeCredentialRequest as _signet_v1_RevokeCredentialRequest, RevokeCredentialRequest__Output as _signet_v1_RevokeCredentialRequest__Output } from '../../signet/v1/RevokeCredentialRequest.js';
import type { RevokeCredentialResponse as _signet_v1_RevokeCredentialResponse, RevokeCredentialResponse__Output as _signet_v1_RevokeCredentialResponse__Output } from '../../signet/v1/RevokeCredentialResponse.js';
import type { RevokeGroupRequest as _signet_v1_RevokeGroupRequest, RevokeGroupRequest__Output as _signet_v1_RevokeGroupRequest__Output } from '../../signet/v1/RevokeGroupRequest.js';
import type { RevokeGroupResponse as _signet_v1_RevokeGroupResponse, RevokeGroupResponse__Output as _signet_v1_RevokeGroupResponse__Output } from '../../signet/v1/RevokeGroupResponse.js';
import type { RevokeIssuingKeyRequest as _signet_v1_RevokeIssuingKeyRequest, RevokeIssuingKeyRequest__Output as _signet_v1_RevokeIssuingKeyRequest__Output } from '../../signet/v1/RevokeIssuingKeyRequest.js';
import type { RevokeIssuingKeyResponse as _signet_v1_RevokeIssuingKeyResponse, RevokeIssuingKeyResponse__Output as _signet_v1_RevokeIssuingKeyResponse__Output } from '../../signet/v1/RevokeIssuingKeyResponse.js';
import type { VerifyCredentialRequest as _signet_v1_VerifyCredentialRequest, VerifyCredentialRequest__Output as _signet_v1_VerifyCredentialRequest__Output } from '../../signet/v1/VerifyCredentialRequest.js';
import type { VerifyCredentialResponse as _signet_v1_VerifyCredentialResponse, VerifyCredentialResponse__Output as _signet_v1_VerifyCredentialResponse__Output } from '../../signet/v1/VerifyCredentialResponse.js';
import type { VerifyPassportRequest as _signet_v1_VerifyPassportRequest, VerifyPassportRequest__Output as _signet_v1_VerifyPassportRequest__Output } from '../../signet/v1/VerifyPassportRequest.js';
import type { VerifyPassportResponse as _signet_v1_VerifyPassportResponse, VerifyPassportResponse__Output as _signet_v1_VerifyPassportResponse__Output } from '../../signet/v1/VerifyPassportResponse.js';

export interface CredentialServiceClient extends grpc.Client {
  Authorize(argument: _signet_v1_AuthorizeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  Authorize(argument: _signet_v1_AuthorizeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  Authorize(argument: _signet_v1_AuthorizeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  Authorize(argument: _signet_v1_AuthorizeRequest, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  authorize(argument: _signet_v1_AuthorizeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  authorize(argument: _signet_v1_AuthorizeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  authorize(argument: _signet_v1_AuthorizeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  authorize(argument: _signet_v1_AuthorizeRequest, callback: grpc.requestCallback<_signet_v1_AuthorizeResponse__Output>): grpc.ClientUnaryCall;
  
  GetAgent(argument: _signet_v1_GetAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  GetAgent(argument: _signet_v1_GetAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  GetAgent(argument: _signet_v1_GetAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  GetAgent(argument: _signet_v1_GetAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  getAgent(argument: _signet_v1_GetAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  getAgent(argument: _signet_v1_GetAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  getAgent(argument: _signet_v1_GetAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  getAgent(argument: _signet_v1_GetAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  
  GetJwks(argument: _signet_v1_GetJwksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _signet_v1_GetJwksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _signet_v1_GetJwksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  GetJwks(argument: _signet_v1_GetJwksRequest, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _signet_v1_GetJwksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _signet_v1_GetJwksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _signet_v1_GetJwksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  getJwks(argument: _signet_v1_GetJwksRequest, callback: grpc.requestCallback<_signet_v1_GetJwksResponse__Output>): grpc.ClientUnaryCall;
  
  Issue(argument: _signet_v1_IssueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  Issue(argument: _signet_v1_IssueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  Issue(argument: _signet_v1_IssueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  Issue(argument: _signet_v1_IssueRequest, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  issue(argument: _signet_v1_IssueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  issue(argument: _signet_v1_IssueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  issue(argument: _signet_v1_IssueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  issue(argument: _signet_v1_IssueRequest, callback: grpc.requestCallback<_signet_v1_IssueResponse__Output>): grpc.ClientUnaryCall;
  
  IssuePassport(argument: _signet_v1_IssuePassportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  IssuePassport(argument: _signet_v1_IssuePassportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  IssuePassport(argument: _signet_v1_IssuePassportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  IssuePassport(argument: _signet_v1_IssuePassportRequest, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  issuePassport(argument: _signet_v1_IssuePassportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  issuePassport(argument: _signet_v1_IssuePassportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  issuePassport(argument: _signet_v1_IssuePassportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  issuePassport(argument: _signet_v1_IssuePassportRequest, callback: grpc.requestCallback<_signet_v1_IssuePassportResponse__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _signet_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _signet_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _signet_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _signet_v1_ListAgentsRequest, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _signet_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _signet_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _signet_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _signet_v1_ListAgentsRequest, callback: grpc.requestCallback<_signet_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
  RegisterAgent(argument: _signet_v1_RegisterAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RegisterAgent(argument: _signet_v1_RegisterAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RegisterAgent(argument: _signet_v1_RegisterAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RegisterAgent(argument: _signet_v1_RegisterAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  registerAgent(argument: _signet_v1_RegisterAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  registerAgent(argument: _signet_v1_RegisterAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  registerAgent(argument: _signet_v1_RegisterAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  registerAgent(argument: _signet_v1_RegisterAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  
  RevokeAgent(argument: _signet_v1_RevokeAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _signet_v1_RevokeAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _signet_v1_RevokeAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  RevokeAgent(argument: _signet_v1_RevokeAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _signet_v1_RevokeAgentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _signet_v1_RevokeAgentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _signet_v1_RevokeAgentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  revokeAgent(argument: _signet_v1_RevokeAgentRequest, callback: grpc.requestCallback<_signet_v1_Agent__Output>): grpc.ClientUnaryCall;
  
  RevokeCredential(argument: _signet_v1_RevokeCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  RevokeCredential(argument: _signet_v1_RevokeCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  RevokeCredential(argument: _signet_v1_RevokeCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  RevokeCredential(argument: _signet_v1_RevokeCredentialRequest, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  revokeCredential(argument: _signet_v1_RevokeCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  revokeCredential(argument: _signet_v1_RevokeCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  revokeCredential(argument: _signet_v1_RevokeCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  revokeCredential(argument: _signet_v1_RevokeCredentialRequest, callback: grpc.requestCallback<_signet_v1_RevokeCredentialResponse__Output>): grpc.ClientUnaryCall;
  
  RevokeGroup(argument: _signet_v1_RevokeGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  RevokeGroup(argument: _signet_v1_RevokeGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  RevokeGroup(argument: _signet_v1_RevokeGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  RevokeGroup(argument: _signet_v1_RevokeGroupRequest, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  revokeGroup(argument: _signet_v1_RevokeGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  revokeGroup(argument: _signet_v1_RevokeGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  revokeGroup(argument: _signet_v1_RevokeGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  revokeGroup(argument: _signet_v1_RevokeGroupRequest, callback: grpc.requestCallback<_signet_v1_RevokeGroupResponse__Output>): grpc.ClientUnaryCall;
  
  RevokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  RevokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  RevokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  RevokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  revokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  revokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  revokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  revokeIssuingKey(argument: _signet_v1_RevokeIssuingKeyRequest, callback: grpc.requestCallback<_signet_v1_RevokeIssuingKeyResponse__Output>): grpc.ClientUnaryCall;
  
  VerifyCredential(argument: _signet_v1_VerifyCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  VerifyCredential(argument: _signet_v1_VerifyCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  VerifyCredential(argument: _signet_v1_VerifyCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  VerifyCredential(argument: _signet_v1_VerifyCredentialRequest, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  verifyCredential(argument: _signet_v1_VerifyCredentialRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  verifyCredential(argument: _signet_v1_VerifyCredentialRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  verifyCredential(argument: _signet_v1_VerifyCredentialRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  verifyCredential(argument: _signet_v1_VerifyCredentialRequest, callback: grpc.requestCallback<_signet_v1_VerifyCredentialResponse__Output>): grpc.ClientUnaryCall;
  
  VerifyPassport(argument: _signet_v1_VerifyPassportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  VerifyPassport(argument: _signet_v1_VerifyPassportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  VerifyPassport(argument: _signet_v1_VerifyPassportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  VerifyPassport(argument: _signet_v1_VerifyPassportRequest, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  verifyPassport(argument: _signet_v1_VerifyPassportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  verifyPassport(argument: _signet_v1_VerifyPassportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  verifyPassport(argument: _signet_v1_VerifyPassportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  verifyPassport(argument: _signet_v1_VerifyPassportRequest, callback: grpc.requestCallback<_signet_v1_VerifyPassportResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CredentialServiceHandlers extends grpc.UntypedServiceImplementation {
  Authorize: grpc.handleUnaryCall<_signet_v1_AuthorizeRequest__Output, _signet_v1_AuthorizeResponse>;
  
  GetAgent: grpc.handleUnaryCall<_signet_v1_GetAgentRequest__Output, _signet_v1_Agent>;
  
  GetJwks: grpc.handleUnaryCall<_signet_v1_GetJwksRequest__Output, _signet_v1_GetJwksResponse>;
  
  Issue: grpc.handleUnaryCall<_signet_v1_IssueRequest__Output, _signet_v1_IssueResponse>;
  
  IssuePassport: grpc.handleUnaryCall<_signet_v1_IssuePassportRequest__Output, _signet_v1_IssuePassportResponse>;
  
  ListAgents: grpc.handleUnaryCall<_signet_v1_ListAgentsRequest__Output, _signet_v1_ListAgentsResponse>;
  
  RegisterAgent: grpc.handleUnaryCall<_signet_v1_RegisterAgentRequest__Output, _signet_v1_Agent>;
  
  RevokeAgent: grpc.handleUnaryCall<_signet_v1_RevokeAgentRequest__Output, _signet_v1_Agent>;
  
  RevokeCredential: grpc.handleUnaryCall<_signet_v1_RevokeCredentialRequest__Output, _signet_v1_RevokeCredentialResponse>;
  
  RevokeGroup: grpc.handleUnaryCall<_signet_v1_RevokeGroupRequest__Output, _signet_v1_RevokeGroupResponse>;
  
  RevokeIssuingKey: grpc.handleUnaryCall<_signet_v1_RevokeIssuingKeyRequest__Output, _signet_v1_RevokeIssuingKeyResponse>;
  
  VerifyCredential: grpc.handleUnaryCall<_signet_v1_VerifyCredentialRequest__Output, _signet_v1_VerifyCredentialResponse>;
  
  VerifyPassport: grpc.handleUnaryCall<_signet_v1_VerifyPassportRequest__Output, _signet_v1_VerifyPassportResponse>;
  
}

export interface CredentialServiceDefinition extends grpc.ServiceDefinition {
  Authorize: MethodDefinition<_signet_v1_AuthorizeRequest, _signet_v1_AuthorizeResponse, _signet_v1_AuthorizeRequest__Output, _signet_v1_AuthorizeResponse__Output>
  GetAgent: MethodDefinition<_signet_v1_GetAgentRequest, _signet_v1_Agent, _signet_v1_GetAgentRequest__Output, _signet_v1_Agent__Output>
  GetJwks: MethodDefinition<_signet_v1_GetJwksRequest, _signet_v1_GetJwksResponse, _signet_v1_GetJwksRequest__Output, _signet_v1_GetJwksResponse__Output>
  Issue: MethodDefinition<_signet_v1_IssueRequest, _signet_v1_IssueResponse, _signet_v1_IssueRequest__Output, _signet_v1_IssueResponse__Output>
  IssuePassport: MethodDefinition<_signet_v1_IssuePassportRequest, _signet_v1_IssuePassportResponse, _signet_v1_IssuePassportRequest__Output, _signet_v1_IssuePassportResponse__Output>
  ListAgents: MethodDefinition<_signet_v1_ListAgentsRequest, _signet_v1_ListAgentsResponse, _signet_v1_ListAgentsRequest__Output, _signet_v1_ListAgentsResponse__Output>
  RegisterAgent: MethodDefinition<_signet_v1_RegisterAgentRequest, _signet_v1_Agent, _signet_v1_RegisterAgentRequest__Output, _signet_v1_Agent__Output>
  RevokeAgent: MethodDefinition<_signet_v1_RevokeAgentRequest, _signet_v1_Agent, _signet_v1_RevokeAgentRequest__Output, _signet_v1_Agent__Output>
  RevokeCredential: MethodDefinition<_signet_v1_RevokeCredentialRequest, _signet_v1_RevokeCredentialResponse, _signet_v1_RevokeCredentialRequest__Output, _signet_v1_RevokeCredentialResponse__Output>
  RevokeGroup: MethodDefinition<_signet_v1_RevokeGroupRequest, _signet_v1_RevokeGroupResponse, _signet_v1_RevokeGroupRequest__Output, _signet_v1_RevokeGroupResponse__Output>
  RevokeIssuingKey: MethodDefinition<_signet_v1_RevokeIssuingKeyRequest, _signet_v1_RevokeIssuingKeyResponse, _signet_v1_RevokeIssuingKeyRequest__Output, _signet_v1_RevokeIssuingKeyResponse__Output>
  VerifyCredential: MethodDefinition<_signet_v1_VerifyCredentialRequest, _signet_v1_VerifyCredentialResponse, _signet_v1_VerifyCredentialRequest__Output, _signet_v1_VerifyCredentialResponse__Output>
  VerifyPassport: MethodDefinition<_signet_v1_VerifyPassportRequest, _signet_v1_VerifyPassportResponse, _signet_v1_VerifyPassportRequest__Output, _signet_v1_VerifyPassportResponse__Output>
}
