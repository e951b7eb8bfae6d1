// The one table of what every request field may hold: byte lengths, element counts, integer
// ranges and required ids. Checked on the raw wire bytes before a request is decoded (wire-check.ts).

export interface FieldRule {
  /** string and bytes: most bytes (strings count UTF-8 bytes); for repeated fields, per element. */
  maxBytes?: number;
  /** repeated and map fields: most elements; 'batch' is limits.max_batch. */
  maxCount?: number | 'batch';
  /** map<string, string> fields: most bytes of each key and each value. */
  keyBytes?: number;
  valueBytes?: number;
  /** An id the call cannot do without: absent or empty is INVALID_ARGUMENT, not NOT_FOUND. */
  required?: boolean;
  /** 32-bit integers: the accepted range; outside it is INVALID_ARGUMENT, never clamped. */
  range?: readonly [number, number];
}

const MiB = 1024 * 1024;
const KEY = { maxBytes: 256 } as const;
const ID = { maxBytes: 256, required: true } as const;
const KEY_REQUIRED = { maxBytes: 256, required: true } as const;
const TOKEN = { maxBytes: 16_384 } as const;
const AUDIENCE = { maxBytes: 2048 } as const;
const REASON = { maxBytes: 1024 } as const;
const TEXT = { maxBytes: 4096 } as const;
const PAGE_SIZE = { range: [0, 1000] } as const;

/**
 * Every string, bytes, repeated and map field of every request message has a rule here; the server
 * refuses to start otherwise. 64-bit integers are always limited to 0 … 2^53-1 (negative for
 * signed fields), beyond which a request is OUT_OF_RANGE. Domain code may refine (a key name's
 * characters, a digest's exact size); these are the outer bounds, documented in docs/operations.md.
 */
export const FIELD_RULES: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  // signing.proto
  'signet.v1.SignRequest': { key: KEY_REQUIRED, message: { maxBytes: 4 * MiB }, digest: { maxBytes: 32 } },
  'signet.v1.SignBatchRequest': {
    key: KEY_REQUIRED,
    messages: { maxBytes: 64 * 1024, maxCount: 'batch' },
    digests: { maxBytes: 32, maxCount: 'batch' },
  },
  'signet.v1.GetPublicKeyRequest': { key: KEY_REQUIRED, key_version: KEY },
  'signet.v1.ListKeysRequest': {},

  // ledger.proto
  'signet.v1.ReceiptRecord': {
    type: { maxBytes: 64 },
    agent: { maxBytes: 1024 },
    action: { maxBytes: 1024 },
    resource: TEXT,
    request_sha256: { maxBytes: 64 },
    response_sha256: { maxBytes: 64 },
    jti: { maxBytes: 512 },
    outcome: { maxBytes: 256 },
    metadata_json: { maxBytes: 16_384 },
  },
  'signet.v1.AppendReceiptRequest': { idempotency_key: { maxBytes: 512 } },
  'signet.v1.AppendReceiptsRequest': { receipts: { maxCount: 'batch' } },
  'signet.v1.GetEntryRequest': {},
  'signet.v1.GetEntriesRequest': { page_size: PAGE_SIZE, page_token: { maxBytes: 32 } },
  'signet.v1.GetCheckpointRequest': {},
  'signet.v1.GetInclusionProofRequest': { leaf_hash: { maxBytes: 32 } },
  // A checkpoint note with its signature lines: a real one is a few hundred bytes.
  'signet.v1.AddCosignatureRequest': { note: { maxBytes: 64 * 1024, required: true } },
  'signet.v1.GetConsistencyProofRequest': {},
  'signet.v1.VerifyChainRequest': {},

  // credentials.proto
  'signet.v1.RegisterAgentRequest': {
    name: { maxBytes: 512 },
    public_key_jwk: { maxBytes: 4096 },
    owner: REASON,
    groups: { maxBytes: 64, maxCount: 32 },
    labels: { maxCount: 32, keyBytes: 64, valueBytes: 1024 },
    metadata: { maxCount: 32, keyBytes: 64, valueBytes: 1024 },
  },
  'signet.v1.GetAgentRequest': { agent_id: ID },
  'signet.v1.ListAgentsRequest': { page_size: PAGE_SIZE, page_token: { maxBytes: 512 }, group: { maxBytes: 256 }, owner: REASON },
  'signet.v1.RevokeAgentRequest': { agent_id: ID, reason: REASON },
  'signet.v1.RevokeGroupRequest': { group: { maxBytes: 256, required: true }, reason: REASON },
  'signet.v1.Intent': { action: TEXT, resource: TEXT, constraints_json: { maxBytes: 16_384 } },
  'signet.v1.McpTool': { server: REASON, tool: REASON },
  'signet.v1.AuthorizeRequest': { agent_id: ID, audience: AUDIENCE },
  'signet.v1.Actor': { sub: REASON, iss: REASON },
  'signet.v1.ProofOfPossession': { nonce: { maxBytes: 256 }, signature: { maxBytes: 256 } },
  'signet.v1.IssueRequest': { agent_id: ID, audience: AUDIENCE, delegation: { maxCount: 8 } },
  'signet.v1.VerifyCredentialRequest': { token: TOKEN, audience: AUDIENCE },
  'signet.v1.RevokeCredentialRequest': { jti: ID, reason: REASON },
  'signet.v1.RevokeIssuingKeyRequest': { kid: { maxBytes: 64, required: true }, reason: REASON },
  'signet.v1.GetJwksRequest': {},
  'signet.v1.IssuePassportRequest': { agent_id: ID },
  'signet.v1.VerifyPassportRequest': { token: TOKEN },

  // The standard services the server also offers: health and reflection (v1 and v1alpha), with
  // the field names of their .proto files (proto/grpc/, loaded with keepCase).
  'grpc.health.v1.HealthCheckRequest': { service: KEY },
  'grpc.health.v1.HealthListRequest': {},
  ...Object.fromEntries(
    ['grpc.reflection.v1', 'grpc.reflection.v1alpha'].flatMap((pkg) => [
      [`${pkg}.ServerReflectionRequest`, { host: KEY, file_by_filename: REASON, file_containing_symbol: REASON, all_extension_numbers_of_type: REASON, list_services: KEY }],
      [`${pkg}.ExtensionRequest`, { containing_type: REASON }],
    ]),
  ),
};

/** Most levels of nested messages in a request (the schema needs 3; unknown fields are not entered). */
export const MAX_NESTING = 16;
