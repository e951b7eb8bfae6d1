// Where the verifying commands (ledger verify, verify receipt) get the ledger's public key: a PEM or
// vkey file, a key URI opened through its driver, or the ledger key a running server names.
import { readFileSync } from 'node:fs';
import { SignetError } from '../lib/errors.js';
import { KEY_SCHEMES } from '../signers/uri.js';
import { connect, type ConnectValues } from './connect.js';

/** Whether a --key value is a key URI (file:, pkcs11:, awskms: …) rather than a file path. */
export function isKeyUri(value: string): boolean {
  const m = /^([a-z0-9]+):/i.exec(value);
  return m !== null && (KEY_SCHEMES as readonly string[]).includes(m[1]!.toLowerCase());
}

/** The text of each key: PEM or a note vkey, from a file, or the PEM of the key a URI opens. */
export async function publicKeyTexts(values: string[]): Promise<string[]> {
  const texts: string[] = [];
  for (const value of values) {
    if (isKeyUri(value)) {
      const { openSigner } = await import('../signers/index.js');
      const signer = await openSigner(value);
      try {
        texts.push((await signer.publicKey()).pem);
      } finally {
        await signer.close();
      }
      continue;
    }
    try {
      texts.push(readFileSync(value, 'utf8'));
    } catch (err) {
      throw new SignetError('INVALID_ARGUMENT', `the key file ${value} (${(err as NodeJS.ErrnoException).code ?? 'error'}); --key takes a PEM or vkey file, or a key URI`);
    }
  }
  return texts;
}

/**
 * The ledger keys a running server names (ListKeys, purpose "ledger…"). This trusts that server for
 * the key: for an audit, pin the key instead (signet keys export-public, then --key FILE).
 */
export async function serverLedgerKeys(values: ConnectValues): Promise<string[]> {
  const { client, address } = connect(values);
  try {
    const { keys } = await client.signing.listKeys({});
    const ledger = keys.filter((k) => k.purpose.includes('ledger')).map((k) => k.spki_pem);
    if (ledger.length === 0) throw new SignetError('NOT_FOUND', `--server ${address} names no ledger key (its ledger may be disabled)`);
    return ledger;
  } catch (err) {
    if (err instanceof SignetError) throw err;
    throw new SignetError('UNAVAILABLE', `--server ${address}: ${(err as Error).message}`);
  } finally {
    client.close();
  }
}
