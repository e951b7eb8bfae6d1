// Checkpoints as C2SP signed notes: signed through the custody contract (file driver), checked by
// node:crypto from the PEM alone, interoperable with Go sumdb/note and Rekor, strict when parsing.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { EMPTY_ROOT, leafHash } from '../../src/ledger/merkle.js';
import {
  cosignNote,
  formatCheckpoint,
  noteKeyId,
  noteSignerNames,
  noteVerifierFromPublicKey,
  parseCheckpoint,
  signNote,
  splitNote,
  verifyNote,
  NOTE_TYPE_ECDSA,
  NOTE_TYPE_ED25519,
} from '../../src/ledger/note.js';
import { formatVkey, noteVerifierFromVkey } from '../../src/ledger/vkey.js';
import type { Signer } from '../../src/signers/contract.js';
import { openSigner } from '../../src/signers/index.js';

const ORIGIN = 'signet.example/ledger';
const ROOT = leafHash(Buffer.from('a root'));
const dir = mkdtempSync(join(tmpdir(), 'signet-note-'));

function assertCode(err: unknown, code: string, message?: RegExp): true {
  assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (message) assert.match(err.message, message);
  return true;
}

/** Splits a note by hand, as an independent reader would: text, then name and base64 per line. */
function independentSplit(note: string): { text: string; lines: { name: string; keyId: number; sig: Buffer }[] } {
  const at = note.lastIndexOf('\n\n');
  const text = note.slice(0, at + 1);
  const lines = note
    .slice(at + 2)
    .trimEnd()
    .split('\n')
    .map((line) => {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      assert.ok(m, `signature line ${JSON.stringify(line)}`);
      const blob = Buffer.from(m[2]!, 'base64');
      return { name: m[1]!, keyId: blob.readUInt32BE(0), sig: blob.subarray(4) };
    });
  return { text, lines };
}

const u32 = (digest: Buffer) => digest.readUInt32BE(0);

describe('signed checkpoints', () => {
  const signers: Record<'Ed25519' | 'ES256', Signer> = {} as never;
  const pems: Record<'Ed25519' | 'ES256', string> = {} as never;

  before(async () => {
    signers.Ed25519 = await openSigner(`file://${dir}/ed.pem?create=true&alg=ed25519`);
    signers.ES256 = await openSigner(`file://${dir}/p256.pem?create=true&alg=p256`);
    pems.Ed25519 = (await signers.Ed25519.publicKey()).pem;
    pems.ES256 = (await signers.ES256.publicKey()).pem;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('formats the tlog-checkpoint body as origin, decimal size and base64 root lines', () => {
    const body = formatCheckpoint({ origin: ORIGIN, size: 1234, root: ROOT });
    assert.equal(body, `${ORIGIN}\n1234\n${Buffer.from(ROOT).toString('base64')}\n`);
    assert.deepEqual(parseCheckpoint(body), { origin: ORIGIN, size: 1234, root: Buffer.from(ROOT) });
    const withExt = formatCheckpoint({ origin: ORIGIN, size: 0, root: EMPTY_ROOT, extensions: ['ext one'] });
    assert.deepEqual(parseCheckpoint(withExt).extensions, ['ext one']);
  });

  it('signs with Ed25519 as type 0x01, and node:crypto verifies it from the PEM alone', async () => {
    const body = formatCheckpoint({ origin: ORIGIN, size: 7, root: ROOT });
    const note = await signNote(body, ORIGIN, signers.Ed25519);
    const { text, lines } = independentSplit(note);
    assert.equal(text, body);
    assert.equal(lines.length, 1);
    const raw = Buffer.from((createPublicKey(pems.Ed25519).export({ format: 'jwk' }) as { x: string }).x, 'base64url');
    const wantId = u32(createHash('sha256').update(Buffer.concat([Buffer.from(`${ORIGIN}\n`), Buffer.from([0x01]), raw])).digest());
    assert.equal(lines[0]!.name, ORIGIN);
    assert.equal(lines[0]!.keyId, wantId);
    assert.equal(lines[0]!.sig.length, 64);
    assert.ok(nodeVerify(null, Buffer.from(text), createPublicKey(pems.Ed25519), lines[0]!.sig));
    assert.deepEqual(verifyNote(note, [noteVerifierFromPublicKey(ORIGIN, pems.Ed25519)]), { body, verifiedBy: [ORIGIN] });
  });

  it('signs with ES256 as type 0x02 (DER ECDSA over SHA-256, key ID from the SPKI), and node:crypto verifies it', async () => {
    const body = formatCheckpoint({ origin: ORIGIN, size: 7, root: ROOT });
    const note = await signNote(body, ORIGIN, signers.ES256);
    const { text, lines } = independentSplit(note);
    const spki = createPublicKey(pems.ES256).export({ type: 'spki', format: 'der' });
    assert.equal(lines[0]!.keyId, u32(createHash('sha256').update(spki).digest()));
    assert.equal(lines[0]!.sig[0], 0x30, 'an ASN.1 DER SEQUENCE');
    assert.ok(nodeVerify('sha256', Buffer.from(text), { key: createPublicKey(pems.ES256), dsaEncoding: 'der' }, lines[0]!.sig));
    assert.equal(verifyNote(note, [noteVerifierFromPublicKey(ORIGIN, pems.ES256)]).body, body);
  });

  for (const alg of ['Ed25519', 'ES256'] as const) {
    describe(alg, () => {
      let note: string;
      const body = formatCheckpoint({ origin: ORIGIN, size: 42, root: ROOT });
      before(async () => {
        note = await signNote(body, ORIGIN, signers[alg]);
      });
      const verifier = () => noteVerifierFromPublicKey(ORIGIN, pems[alg]);
      const other = alg === 'Ed25519' ? 'ES256' : 'Ed25519';

      it('when an unknown key adds a signature line (before or after), the checkpoint still verifies', async () => {
        const cosigned = await cosignNote(note, 'witness.example/w1', signers[other]);
        assert.equal(splitNote(cosigned).signatures.length, 2);
        assert.deepEqual(verifyNote(cosigned, [verifier()]), { body, verifiedBy: [ORIGIN] });
        const { lines } = independentSplit(cosigned);
        const junk = `\u2014 ${ORIGIN} ${Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.alloc(64, 7)]).toString('base64')}\n`;
        const reordered = `${body}\n${junk}${cosigned.slice(body.length + 1)}`;
        assert.equal(lines.length, 2);
        assert.deepEqual(verifyNote(reordered, [verifier()]).verifiedBy, [ORIGIN]);
      });

      it('when the key rotates, a second signature line lets old and new verifiers both accept', async () => {
        const rotated = await cosignNote(note, ORIGIN, signers[other]);
        assert.deepEqual(verifyNote(rotated, [verifier()]).verifiedBy, [ORIGIN]);
        assert.deepEqual(verifyNote(rotated, [noteVerifierFromPublicKey(ORIGIN, pems[other])]).verifiedBy, [ORIGIN]);
      });

      it('when the size, root or origin is changed, it no longer verifies (INTEGRITY)', () => {
        const tampered = [
          note.replace('\n42\n', '\n43\n'),
          note.replace(Buffer.from(ROOT).toString('base64'), Buffer.from(leafHash(Buffer.from('x'))).toString('base64')),
          note.replace(`${ORIGIN}\n42`, `signet.example/other\n42`),
        ];
        for (const t of tampered) {
          assert.notEqual(t, note);
          assert.throws(() => verifyNote(t, [verifier()]), (e) => assertCode(e, 'INTEGRITY', /does not verify/));
        }
      });

      it('when no signature is by a known key, refuses with INTEGRITY', () => {
        assert.throws(() => verifyNote(note, [noteVerifierFromPublicKey(ORIGIN, pems[other])]), (e) => assertCode(e, 'INTEGRITY', /no signature by a known key/));
        assert.throws(() => verifyNote(note, [noteVerifierFromPublicKey('someone.else/log', pems[alg])]), (e) => assertCode(e, 'INTEGRITY'));
        assert.throws(() => verifyNote(note, []), (e) => assertCode(e, 'INTEGRITY'));
      });

      it('when a known key\'s signature is corrupted, refuses the whole note even if another verifies', async () => {
        const { lines } = independentSplit(note);
        const sig = Buffer.from(lines[0]!.sig);
        sig[sig.length - 1]! ^= 1;
        const id = Buffer.alloc(4);
        id.writeUInt32BE(lines[0]!.keyId);
        const bad = `${body}\n\u2014 ${ORIGIN} ${Buffer.concat([id, sig]).toString('base64')}\n`;
        assert.throws(() => verifyNote(bad, [verifier()]), (e) => assertCode(e, 'INTEGRITY'));
        const withGood = await cosignNote(bad, 'cosigner.example', signers[other]);
        const both = [verifier(), noteVerifierFromPublicKey('cosigner.example', pems[other])];
        assert.throws(() => verifyNote(withGood, both), (e) => assertCode(e, 'INTEGRITY', /does not verify/));
      });
    });
  }

  it('lists the names that signed, for tools that only hold a key', async () => {
    const note = await cosignNote(await signNote(formatCheckpoint({ origin: ORIGIN, size: 1, root: ROOT }), ORIGIN, signers.Ed25519), 'w.example', signers.ES256);
    assert.deepEqual(noteSignerNames(note), [ORIGIN, 'w.example']);
  });

  it('when the key name is empty or holds a space or "+", refuses to sign (INVALID_ARGUMENT)', async () => {
    const body = formatCheckpoint({ origin: ORIGIN, size: 1, root: ROOT });
    for (const name of ['', 'a b', 'a+b', 'tab\tname']) {
      await assert.rejects(signNote(body, name, signers.Ed25519), (e) => assertCode(e, 'INVALID_ARGUMENT'));
    }
    await assert.rejects(signNote('no newline', ORIGIN, signers.Ed25519), (e) => assertCode(e, 'INVALID_ARGUMENT'));
  });
});

describe('interoperability with published signed notes', () => {
  // golang.org/x/mod/sumdb/note's documented example: vkey, signer seed and signed note.
  const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const PETER_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
  const PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const PETER_NOTE = `${PETER_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
  // Sigstore Rekor's ECDSA key and a checkpoint it signed (transparency-dev/witness tests).
  const REKOR_KEY = 'AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
  const REKOR_NOTE =
    'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n\u2014 rekor.sigstore.dev wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n';
  const own = mkdtempSync(join(tmpdir(), 'signet-note-interop-'));
  after(() => rmSync(own, { recursive: true, force: true }));

  it('computes the Go key ID c74f20a3 and verifies the Go example note', () => {
    const raw = Buffer.from(PETER_VKEY.split('+')[2]!, 'base64').subarray(1);
    assert.equal(noteKeyId('PeterNeumann', NOTE_TYPE_ED25519, raw), 0xc74f20a3);
    const verifier = noteVerifierFromVkey(PETER_VKEY);
    assert.deepEqual(verifyNote(PETER_NOTE, [verifier]), { body: PETER_TEXT, verifiedBy: ['PeterNeumann'] });
    assert.throws(() => verifyNote(PETER_NOTE.replace('cryptography', 'cryptographY'), [verifier]), (e) => assertCode(e, 'INTEGRITY'));
  });

  it('signs the Go example byte for byte through the custody contract (Ed25519 is deterministic)', async () => {
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), PETER_SEED]);
    const path = join(own, 'peter.pem');
    writeFileSync(path, `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
    const signer = await openSigner(`file://${path}`);
    assert.equal(await signNote(PETER_TEXT, 'PeterNeumann', signer), PETER_NOTE);
    assert.equal(formatVkey('PeterNeumann', (await signer.publicKey()).pem), PETER_VKEY);
  });

  it('verifies a Rekor ECDSA checkpoint with key ID c0d23d6a (type 0x02)', () => {
    const spki = Buffer.from(REKOR_KEY, 'base64').subarray(1);
    assert.equal(noteKeyId('rekor.sigstore.dev', NOTE_TYPE_ECDSA, spki), 0xc0d23d6a);
    const verifier = noteVerifierFromPublicKey('rekor.sigstore.dev', spki);
    assert.equal(verifyNote(REKOR_NOTE, [verifier]).body, 'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n');
    assert.equal(parseCheckpoint(verifyNote(REKOR_NOTE, [verifier]).body).size, 798034);
    assert.equal(noteVerifierFromVkey(`rekor.sigstore.dev+c0d23d6a+${REKOR_KEY}`).keyId, 0xc0d23d6a);
    assert.throws(() => noteVerifierFromVkey(`rekor.sigstore.dev+00000000+${REKOR_KEY}`), (e) => assertCode(e, 'INVALID_ARGUMENT'));
  });
});

describe('parsing untrusted notes and checkpoints', () => {
  const body = formatCheckpoint({ origin: ORIGIN, size: 5, root: ROOT });
  const sigLine = `\u2014 ${ORIGIN} ${Buffer.alloc(68, 1).toString('base64')}\n`;

  it('when the note is malformed, refuses with INTEGRITY', () => {
    const cases: [string, string][] = [
      [`${body}${sigLine}`, 'no blank line'],
      [`${body}\n`, 'no signature lines'],
      [`${body}\n${sigLine.replace('\u2014', '--')}`, 'no em dash'],
      [`${body}\n${sigLine.slice(0, -1)}`, 'no final newline'],
      [`${body}\n\u2014 ${ORIGIN} not*base64\n`, 'bad base64'],
      [`${body}\n\u2014 ${ORIGIN} AAAA\n`, 'signature shorter than a key ID and one byte'],
      [`${body}\n\u2014  ${Buffer.alloc(68).toString('base64')}\n`, 'empty key name'],
      [`${body.replace('5', '5\r')}\n${sigLine}`, 'a control character'],
      [`${body}\n${sigLine.repeat(101)}`, 'more than 100 signatures'],
    ];
    for (const [note, why] of cases) {
      assert.throws(() => splitNote(note), (e) => assertCode(e, 'INTEGRITY'), why);
    }
  });

  it('when the checkpoint body is not exactly origin/size/root, refuses with INTEGRITY', () => {
    const root = Buffer.from(ROOT).toString('base64');
    const cases: [string, string][] = [
      [`${ORIGIN}\n5\n${root}`, 'no final newline'],
      [`${ORIGIN}\n5\n`, 'no root'],
      [`${ORIGIN}\n05\n${root}\n`, 'leading zero'],
      [`${ORIGIN}\n-1\n${root}\n`, 'negative'],
      [`${ORIGIN}\n+5\n${root}\n`, 'plus sign'],
      [`${ORIGIN}\n5.0\n${root}\n`, 'fraction'],
      [`${ORIGIN}\n9007199254740993\n${root}\n`, 'beyond 2^53'],
      [`${ORIGIN}\n99999999999999999999\n${root}\n`, 'far beyond 2^53'],
      [`${ORIGIN}\n5\n${root.slice(0, -4)}\n`, 'short root'],
      [`${ORIGIN}\n5\n${root.replace(/=$/, '')}\n`, 'unpadded base64'],
      [`${ORIGIN}\n5\n${Buffer.from(ROOT).toString('base64url')}x\n`, 'base64url'],
      [`\n5\n${root}\n`, 'empty origin'],
      [`${ORIGIN}\n5\n${root}\n\n`, 'empty extension line'],
      [`${ORIGIN}\r\n5\n${root}\n`, 'carriage return'],
    ];
    for (const [text, why] of cases) {
      assert.throws(() => parseCheckpoint(text), (e) => assertCode(e, 'INTEGRITY'), why);
    }
    assert.equal(parseCheckpoint(`${ORIGIN}\n9007199254740991\n${root}\n`).size, Number.MAX_SAFE_INTEGER);
  });

  it('when asked to format an impossible checkpoint, refuses with INVALID_ARGUMENT', () => {
    for (const cp of [
      { origin: '', size: 1, root: ROOT },
      { origin: 'a\nb', size: 1, root: ROOT },
      { origin: ORIGIN, size: -1, root: ROOT },
      { origin: ORIGIN, size: 1.5, root: ROOT },
      { origin: ORIGIN, size: 1, root: new Uint8Array(31) },
      { origin: ORIGIN, size: 1, root: ROOT, extensions: [''] },
    ]) {
      assert.throws(() => formatCheckpoint(cp), (e) => assertCode(e, 'INVALID_ARGUMENT'));
    }
  });
});
