// Original file: proto/signet/v1/credentials.proto


export interface IssuePassportRequest {
  'agent_id'?: (string);
  'ttl_seconds'?: (number);
}

export interface IssuePassportRequest__Output {
  'agent_id': (string);
  'ttl_seconds': (number);
}
