// Original file: proto/signet/v1/credentials.proto


export interface RevokeGroupRequest {
  'group'?: (string);
  'reason'?: (string);
}

export interface RevokeGroupRequest__Output {
  'group': (string);
  'reason': (string);
}
