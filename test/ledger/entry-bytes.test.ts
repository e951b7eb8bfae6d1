import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalize } from '../../src/lib/jcs.js';
import { entryBytes, validateRecord } from '../../src/ledger/records.js';
import { seededRandom, withSeed } from '../helpers/seeded.js';

// Keys that sort just before, between and after the ledger's own (prev, time, v), by UTF-16 code unit.
const KEYS = ['agent', 'P', 'pa', 'prev_', 'pz', 'q', 'ti', 'timf', 'tz', 'u', 'v_', 'va', 'w', 'z', 'é', '\u{1F600}', 'jti', 'Z', 'prevx', 'timestamp'];
const VALUES = [0, -1.5, 1e21, 'x', 'ü"\\\n', true, null, [1, 'a', { b: 2 }], { nested: { deep: [null] } }];

describe('entry bytes', () => {
  it('are RFC 8785 of the record with v, time and prev, whatever keys the record has (2000 generated records)', () => {
    const r = seededRandom(0xe47);
    for (let k = 0; k < 2000; k++) {
      const record: Record<string, unknown> = { type: 'key_event' };
      for (let n = r.int(8); n > 0; n--) record[r.pick(KEYS)] = r.pick(VALUES);
      if (r.bool(0.3)) record.metadata = { a: r.pick(VALUES), v: 1 };
      const t = Date.UTC(2026, 0, 1) + r.int(1e9);
      const prev = r.int(16).toString(16).repeat(64);
      withSeed(r, JSON.stringify(record), () => {
        const valid = validateRecord(record);
        const expected = canonicalize({ ...record, v: 1, time: new Date(t).toISOString(), prev });
        assert.equal(Buffer.from(entryBytes(valid, t, prev)).toString('utf8'), expected);
      });
    }
  });

  it('are the record as validated: a field changed after validation does not reach the entry unchecked', () => {
    const record = validateRecord({ type: 'issuance', jti: 'abc' });
    (record as Record<string, unknown>).jti = 'x'.repeat(5000);
    assert.match(Buffer.from(entryBytes(record, 0, '0'.repeat(64))).toString(), /"jti":"abc"/);
  });
});
