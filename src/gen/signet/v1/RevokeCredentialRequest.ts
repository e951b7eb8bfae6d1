// Original file: proto/signet/v1/credentials.proto


export interface RevokeCredentialRequest {
  'jti'?: (string);
  'reason'?: (string);
}

export interface RevokeCredentialRequest__Output {
  'jti': (string);
  'reason': (string);
}
