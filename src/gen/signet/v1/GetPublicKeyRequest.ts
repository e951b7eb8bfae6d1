// Original file: proto/signet/v1/signing.proto


export interface GetPublicKeyRequest {
  'key'?: (string);
  'key_version'?: (string);
}

export interface GetPublicKeyRequest__Output {
  'key': (string);
  'key_version': (string);
}
