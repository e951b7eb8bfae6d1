// Original file: proto/signet/v1/credentials.proto


export interface GetJwksRequest {
}

export interface GetJwksRequest__Output {
}
