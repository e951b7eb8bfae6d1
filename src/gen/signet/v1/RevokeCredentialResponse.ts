// Original file: proto/signet/v1/credentials.proto


export interface RevokeCredentialResponse {
  'revoked'?: (boolean);
}

export interface RevokeCredentialResponse__Output {
  'revoked': (boolean);
}
