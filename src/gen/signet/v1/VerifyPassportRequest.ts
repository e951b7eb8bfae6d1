// Original file: proto/signet/v1/credentials.proto


export interface VerifyPassportRequest {
  'token'?: (string);
  'online'?: (boolean);
}

export interface VerifyPassportRequest__Output {
  'token': (string);
  'online': (boolean);
}
