// Original file: proto/signet/v1/ledger.proto


export interface AddCosignatureRequest {
  'note'?: (string);
}

export interface AddCosignatureRequest__Output {
  'note': (string);
}
