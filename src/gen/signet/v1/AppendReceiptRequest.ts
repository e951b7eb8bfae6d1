// Original file: proto/signet/v1/ledger.proto

import type { ReceiptRecord as _signet_v1_ReceiptRecord, ReceiptRecord__Output as _signet_v1_ReceiptRecord__Output } from '../../signet/v1/ReceiptRecord.js';

export interface AppendReceiptRequest {
  'receipt'?: (_signet_v1_ReceiptRecord | null);
  'idempotency_key'?: (string);
}

export interface AppendReceiptRequest__Output {
  'receipt': (_signet_v1_ReceiptRecord__Output | null);
  'idempotency_key': (string);
}
