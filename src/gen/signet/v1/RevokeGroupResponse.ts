// Original file: proto/signet/v1/credentials.proto


export interface RevokeGroupResponse {
  'agent_ids'?: (string)[];
}

export interface RevokeGroupResponse__Output {
  'agent_ids': (string)[];
}
