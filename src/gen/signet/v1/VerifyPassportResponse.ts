// Original file: proto/signet/v1/credentials.proto


export interface VerifyPassportResponse {
  'valid'?: (boolean);
  'reason'?: (string);
  'detail'?: (string);
  'claims_json'?: (string);
}

export interface VerifyPassportResponse__Output {
  'valid': (boolean);
  'reason': (string);
  'detail': (string);
  'claims_json': (string);
}
