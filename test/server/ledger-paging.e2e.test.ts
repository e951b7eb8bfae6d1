// GetEntries pages by bytes as well as by count: a default page of large receipts still fits a
// stock gRPC client's 4 MiB receive limit, and paging through returns every entry once, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignetClient } from '../../src/client/index.js';
import { MAX_PAGE_BYTES } from '../../src/ledger/reader.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hexOf } from '../ledger/fixtures.js';

const COUNT = 1000;

describe('GetEntries with large receipts', () => {
  let server: TestServer;
  let client: SignetClient;
  before(async () => {
    server = await startTestServer();
    client = new SignetClient({ address: server.address, deadlineMs: 60_000 });
    // ~4.2 KB per entry: a 1000-entry page would be ~4.2 MB, past the 4 MiB default.
    const metadata_json = JSON.stringify({ blob: 'x'.repeat(4000) });
    for (let i = 0; i < COUNT; i += 200) {
      await client.ledger.appendReceipts({
        receipts: Array.from({ length: 200 }, (_, k) => ({
          receipt: { agent: 'agent', action: 'files.read', resource: `s3://bucket/${i + k}`, request_sha256: hexOf(`q${i + k}`), response_sha256: hexOf(`r${i + k}`), outcome: 'success', metadata_json },
        })),
      });
    }
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('a default page stops below the byte budget, and the pages together hold every entry once, in order', async () => {
    const first = await client.ledger.getEntries({ start: 0 });
    const bytes = (p: typeof first) => p.entries.reduce((n, e) => n + e.entry.length + e.leaf_hash.length, 0);
    assert.ok(first.entries.length > 0 && first.entries.length < COUNT, `a page of ${first.entries.length}`);
    assert.ok(bytes(first) <= MAX_PAGE_BYTES, `${bytes(first)} bytes`);
    assert.notEqual(first.next_page_token, '');
    const seen: number[] = first.entries.map((e) => Number(e.index));
    let token = first.next_page_token;
    while (token) {
      const page = await client.ledger.getEntries({ page_token: token });
      assert.ok(bytes(page) <= MAX_PAGE_BYTES);
      seen.push(...page.entries.map((e) => Number(e.index)));
      token = page.next_page_token;
    }
    assert.deepEqual(seen, Array.from({ length: COUNT }, (_, i) => i));
  });

  it('a page_size smaller than the byte budget allows is kept', async () => {
    const page = await client.ledger.getEntries({ start: 10, page_size: 5 });
    assert.deepEqual(page.entries.map((e) => Number(e.index)), [10, 11, 12, 13, 14]);
    assert.equal(page.next_page_token, '15');
  });
});
