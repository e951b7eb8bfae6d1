// Original file: proto/signet/v1/credentials.proto


export interface RevokeIssuingKeyRequest {
  'kid'?: (string);
  'reason'?: (string);
}

export interface RevokeIssuingKeyRequest__Output {
  'kid': (string);
  'reason': (string);
}
