import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Actor as _signet_v1_Actor, Actor__Output as _signet_v1_Actor__Output } from './signet/v1/Actor.js';
import type { Agent as _signet_v1_Agent, Agent__Output as _signet_v1_Agent__Output } from './signet/v1/Agent.js';
import type { AuthorizeRequest as _signet_v1_AuthorizeRequest, AuthorizeRequest__Output as _signet_v1_AuthorizeRequest__Output } from './signet/v1/AuthorizeRequest.js';
import type { AuthorizeResponse as _signet_v1_AuthorizeResponse, AuthorizeResponse__Output as _signet_v1_AuthorizeResponse__Output } from './signet/v1/AuthorizeResponse.js';
import type { CredentialServiceClient as _signet_v1_CredentialServiceClient, CredentialServiceDefinition as _signet_v1_CredentialServiceDefinition } from './signet/v1/CredentialService.js';
import type { GetAgentRequest as _signet_v1_GetAgentRequest, GetAgentRequest__Output as _signet_v1_GetAgentRequest__Output } from './signet/v1/GetAgentRequest.js';
import type { GetJwksRequest as _signet_v1_GetJwksRequest, GetJwksRequest__Output as _signet_v1_GetJwksRequest__Output } from './signet/v1/GetJwksRequest.js';
import type { GetJwksResponse as _signet_v1_GetJwksResponse, GetJwksResponse__Output as _signet_v1_GetJwksResponse__Output } from './signet/v1/GetJwksResponse.js';
import type { Intent as _signet_v1_Intent, Intent__Output as _signet_v1_Intent__Output } from './signet/v1/Intent.js';
import type { IssuePassportRequest as _signet_v1_IssuePassportRequest, IssuePassportRequest__Output as _signet_v1_IssuePassportRequest__Output } from './signet/v1/IssuePassportRequest.js';
import type { IssuePassportResponse as _signet_v1_IssuePassportResponse, IssuePassportResponse__Output as _signet_v1_IssuePassportResponse__Output } from './signet/v1/IssuePassportResponse.js';
import type { IssueRequest as _signet_v1_IssueRequest, IssueRequest__Output as _signet_v1_IssueRequest__Output } from './signet/v1/IssueRequest.js';
import type { IssueResponse as _signet_v1_IssueResponse, IssueResponse__Output as _signet_v1_IssueResponse__Output } from './signet/v1/IssueResponse.js';
import type { ListAgentsRequest as _signet_v1_ListAgentsRequest, ListAgentsRequest__Output as _signet_v1_ListAgentsRequest__Output } from './signet/v1/ListAgentsRequest.js';
import type { ListAgentsResponse as _signet_v1_ListAgentsResponse, ListAgentsResponse__Output as _signet_v1_ListAgentsResponse__Output } from './signet/v1/ListAgentsResponse.js';
import type { McpTool as _signet_v1_McpTool, McpTool__Output as _signet_v1_McpTool__Output } from './signet/v1/McpTool.js';
import type { ProofOfPossession as _signet_v1_ProofOfPossession, ProofOfPossession__Output as _signet_v1_ProofOfPossession__Output } from './signet/v1/ProofOfPossession.js';
import type { RegisterAgentRequest as _signet_v1_RegisterAgentRequest, RegisterAgentRequest__Output as _signet_v1_RegisterAgentRequest__Output } from './signet/v1/RegisterAgentRequest.js';
import type { RevokeAgentRequest as _signet_v1_RevokeAgentRequest, RevokeAgentRequest__Output as _signet_v1_RevokeAgentRequest__Output } from './signet/v1/RevokeAgentRequest.js';
import type { RevokeCredentialRequest as _signet_v1_RevokeCredentialRequest, RevokeCredentialRequest__Output as _signet_v1_RevokeCredentialRequest__Output } from './signet/v1/RevokeCredentialRequest.js';
import type { RevokeCredentialResponse as _signet_v1_RevokeCredentialResponse, RevokeCredentialResponse__Output as _signet_v1_RevokeCredentialResponse__Output } from './signet/v1/RevokeCredentialResponse.js';
import type { RevokeGroupRequest as _signet_v1_RevokeGroupRequest, RevokeGroupRequest__Output as _signet_v1_RevokeGroupRequest__Output } from './signet/v1/RevokeGroupRequest.js';
import type { RevokeGroupResponse as _signet_v1_RevokeGroupResponse, RevokeGroupResponse__Output as _signet_v1_RevokeGroupResponse__Output } from './signet/v1/RevokeGroupResponse.js';
import type { RevokeIssuingKeyRequest as _signet_v1_RevokeIssuingKeyRequest, RevokeIssuingKeyRequest__Output as _signet_v1_RevokeIssuingKeyRequest__Output } from './signet/v1/RevokeIssuingKeyRequest.js';
import type { RevokeIssuingKeyResponse as _signet_v1_RevokeIssuingKeyResponse, RevokeIssuingKeyResponse__Output as _signet_v1_RevokeIssuingKeyResponse__Output } from './signet/v1/RevokeIssuingKeyResponse.js';
import type { VerifyCredentialRequest as _signet_v1_VerifyCredentialRequest, VerifyCredentialRequest__Output as _signet_v1_VerifyCredentialRequest__Output } from './signet/v1/VerifyCredentialRequest.js';
import type { VerifyCredentialResponse as _signet_v1_VerifyCredentialResponse, VerifyCredentialResponse__Output as _signet_v1_VerifyCredentialResponse__Output } from './signet/v1/VerifyCredentialResponse.js';
import type { VerifyPassportRequest as _signet_v1_VerifyPassportRequest, VerifyPassportRequest__Output as _signet_v1_VerifyPassportRequest__Output } from './signet/v1/VerifyPassportRequest.js';
import type { VerifyPassportResponse as _signet_v1_VerifyPassportResponse, VerifyPassportResponse__Output as _signet_v1_VerifyPassportResponse__Output } from './signet/v1/VerifyPassportResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  signet: {
    v1: {
      Actor: MessageTypeDefinition<_signet_v1_Actor, _signet_v1_Actor__Output>
      Agent: MessageTypeDefinition<_signet_v1_Agent, _signet_v1_Agent__Output>
      AuthorizeRequest: MessageTypeDefinition<_signet_v1_AuthorizeRequest, _signet_v1_AuthorizeRequest__Output>
      AuthorizeResponse: MessageTypeDefinition<_signet_v1_AuthorizeResponse, _signet_v1_AuthorizeResponse__Output>
      CredentialService: SubtypeConstructor<typeof grpc.Client, _signet_v1_CredentialServiceClient> & { service: _signet_v1_CredentialServiceDefinition }
      GetAgentRequest: MessageTypeDefinition<_signet_v1_GetAgentRequest, _signet_v1_GetAgentRequest__Output>
      GetJwksRequest: MessageTypeDefinition<_signet_v1_GetJwksRequest, _signet_v1_GetJwksRequest__Output>
      GetJwksResponse: MessageTypeDefinition<_signet_v1_GetJwksResponse, _signet_v1_GetJwksResponse__Output>
      Intent: MessageTypeDefinition<_signet_v1_Intent, _signet_v1_Intent__Output>
      IssuePassportRequest: MessageTypeDefinition<_signet_v1_IssuePassportRequest, _signet_v1_IssuePassportRequest__Output>
      IssuePassportResponse: MessageTypeDefinition<_signet_v1_IssuePassportResponse, _signet_v1_IssuePassportResponse__Output>
      IssueRequest: MessageTypeDefinition<_signet_v1_IssueRequest, _signet_v1_IssueRequest__Output>
      IssueResponse: MessageTypeDefinition<_signet_v1_IssueResponse, _signet_v1_IssueResponse__Output>
      ListAgentsRequest: MessageTypeDefinition<_signet_v1_ListAgentsRequest, _signet_v1_ListAgentsRequest__Output>
      ListAgentsResponse: MessageTypeDefinition<_signet_v1_ListAgentsResponse, _signet_v1_ListAgentsResponse__Output>
      McpTool: MessageTypeDefinition<_signet_v1_McpTool, _signet_v1_McpTool__Output>
      ProofOfPossession: MessageTypeDefinition<_signet_v1_ProofOfPossession, _signet_v1_ProofOfPossession__Output>
      RegisterAgentRequest: MessageTypeDefinition<_signet_v1_RegisterAgentRequest, _signet_v1_RegisterAgentRequest__Output>
      RevokeAgentRequest: MessageTypeDefinition<_signet_v1_RevokeAgentRequest, _signet_v1_RevokeAgentRequest__Output>
      RevokeCredentialRequest: MessageTypeDefinition<_signet_v1_RevokeCredentialRequest, _signet_v1_RevokeCredentialRequest__Output>
      RevokeCredentialResponse: MessageTypeDefinition<_signet_v1_RevokeCredentialResponse, _signet_v1_RevokeCredentialResponse__Output>
      RevokeGroupRequest: MessageTypeDefinition<_signet_v1_RevokeGroupRequest, _signet_v1_RevokeGroupRequest__Output>
      RevokeGroupResponse: MessageTypeDefinition<_signet_v1_RevokeGroupResponse, _signet_v1_RevokeGroupResponse__Output>
      RevokeIssuingKeyRequest: MessageTypeDefinition<_signet_v1_RevokeIssuingKeyRequest, _signet_v1_RevokeIssuingKeyRequest__Output>
      RevokeIssuingKeyResponse: MessageTypeDefinition<_signet_v1_RevokeIssuingKeyResponse, _signet_v1_RevokeIssuingKeyResponse__Output>
      VerifyCredentialRequest: MessageTypeDefinition<_signet_v1_VerifyCredentialRequest, _signet_v1_VerifyCredentialRequest__Output>
      VerifyCredentialResponse: MessageTypeDefinition<_signet_v1_VerifyCredentialResponse, _signet_v1_VerifyCredentialResponse__Output>
      VerifyPassportRequest: MessageTypeDefinition<_signet_v1_VerifyPassportRequest, _signet_v1_VerifyPassportRequest__Output>
      VerifyPassportResponse: MessageTypeDefinition<_signet_v1_VerifyPassportResponse, _signet_v1_VerifyPassportResponse__Output>
    }
  }
}

