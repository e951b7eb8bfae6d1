// Original file: proto/signet/v1/credentials.proto


export interface RevokeAgentRequest {
  'agent_id'?: (string);
  'reason'?: (string);
}

export interface RevokeAgentRequest__Output {
  'agent_id': (string);
  'reason': (string);
}
