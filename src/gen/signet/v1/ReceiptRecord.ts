// Original file: proto/signet/v1/ledger.proto


export interface ReceiptRecord {
  'type'?: (string);
  'agent'?: (string);
  'action'?: (string);
  'resource'?: (string);
  'request_sha256'?: (string);
  'response_sha256'?: (string);
  'jti'?: (string);
  'outcome'?: (string);
  'metadata_json'?: (string);
}

export interface ReceiptRecord__Output {
  'type': (string);
  'agent': (string);
  'action': (string);
  'resource': (string);
  'request_sha256': (string);
  'response_sha256': (string);
  'jti': (string);
  'outcome': (string);
  'metadata_json': (string);
}
