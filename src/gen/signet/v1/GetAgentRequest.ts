// Original file: proto/signet/v1/credentials.proto


export interface GetAgentRequest {
  'agent_id'?: (string);
}

export interface GetAgentRequest__Output {
  'agent_id': (string);
}
