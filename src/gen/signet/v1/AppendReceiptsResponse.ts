// Original file: proto/signet/v1/ledger.proto

import type { Receipt as _signet_v1_Receipt, Receipt__Output as _signet_v1_Receipt__Output } from '../../signet/v1/Receipt.js';

export interface AppendReceiptsResponse {
  'receipts'?: (_signet_v1_Receipt)[];
}

export interface AppendReceiptsResponse__Output {
  'receipts': (_signet_v1_Receipt__Output)[];
}
