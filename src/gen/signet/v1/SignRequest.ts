// Original file: proto/signet/v1/signing.proto


export interface SignRequest {
  'key'?: (string);
  'message'?: (Buffer | Uint8Array | string);
  'digest'?: (Buffer | Uint8Array | string);
  'payload'?: "message"|"digest";
}

export interface SignRequest__Output {
  'key': (string);
  'message'?: (Buffer);
  'digest'?: (Buffer);
  'payload'?: "message"|"digest";
}
