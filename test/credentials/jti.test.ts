import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newJti } from '../../src/credentials/jti.js';

describe('credential ids', () => {
  it('are 128 bits in base64url and do not repeat across pool refills', () => {
    const ids = Array.from({ length: 1000 }, newJti); // 16 000 bytes: four refills of the 4 KiB pool
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
    }
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.some((id) => id !== 'AAAAAAAAAAAAAAAAAAAAAA'), 'not zeros');
  });
});
