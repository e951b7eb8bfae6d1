// The package entry point (`import { SignetClient } from 'signet'`): the typed client, its
// errors, and the offline verifiers that check Signet's word without trusting Signet.
export { SignetClient, type SignetClientOptions, type SigningApi, type LedgerApi, type CredentialApi, type CallOptions, type RetryOptions } from './client.js';
export { isLoopback, type TlsOptions, type PemSource, type ChannelConfig } from './channel.js';
export { SignetClientError, isSignetClientError, type SignetClientErrorCode } from './errors.js';
export { AgentKey, type AgentPublicJwk, type SignedProof } from './agent.js';
export type * from './wire.js';
export { verifyReceiptBundle, type ReceiptCheck, type ReceiptInput, type ReceiptVerdict, type VerifiedReceiptBundle } from './verify-receipt.js';
export { verifyConsistency, type ConsistencyCheck, type ConsistencyInput, type ConsistencyVerdict, type VerifiedConsistency } from './verify-consistency.js';
export { verifyCredentialOffline, type CredentialCheck, type CredentialExpectations, type CredentialVerdict, type CredentialClaimsOffline, type Presentation } from './verify-credential.js';
export type { LedgerTrust, TrustedKey } from './trust.js';
export type { Verdict } from './verdict.js';
