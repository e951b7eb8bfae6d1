// Original file: proto/signet/v1/signing.proto


export interface ListKeysRequest {
}

export interface ListKeysRequest__Output {
}
