// Original file: proto/signet/v1/credentials.proto


export interface RevokeIssuingKeyResponse {
  'revoked'?: (boolean);
  'current_kid'?: (string);
}

export interface RevokeIssuingKeyResponse__Output {
  'revoked': (boolean);
  'current_kid': (string);
}
