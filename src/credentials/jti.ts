// Credential ids: 128 random bits, base64url. Drawn from a pooled buffer of CSPRNG output so
// that each issuance does not pay for its own trip to the system's random source.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function newJti(): string {
  if (offset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + 16);
  // Zero what was handed out, so the pool never holds a spent id.
  pool.fill(0, offset, offset + 16);
  offset += 16;
  return id;
}
