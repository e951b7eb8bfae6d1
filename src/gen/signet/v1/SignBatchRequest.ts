// Original file: proto/signet/v1/signing.proto


export interface SignBatchRequest {
  'key'?: (string);
  'messages'?: (Buffer | Uint8Array | string)[];
  'digests'?: (Buffer | Uint8Array | string)[];
}

export interface SignBatchRequest__Output {
  'key': (string);
  'messages': (Buffer)[];
  'digests': (Buffer)[];
}
