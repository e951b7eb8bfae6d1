// The `hashivault:` driver: a HashiCorp Vault Transit key (ed25519 or ecdsa-p256) through
// node-vault. hashivault://MOUNT/KEY?address=…&token-source=…; see docs/drivers/hashivault.md.
import { SignetError } from '../../lib/errors.js';
import type { KeyGenerator, KeyRotator } from '../capabilities.js';
import type { KeyAlgorithm, PublicKeyInfo, Signer } from '../contract.js';
import { CustodySigner } from '../custody.js';
import { publicKeyInfo } from '../keys.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import type { HashiVaultKeyUri, KeyUri } from '../uri.js';
import { VaultTransitBackend } from './backend.js';
import { NodeVaultTransitClient, type TransitClient, type TransitClientConfig } from './client.js';
import { resolveConfig } from './config.js';
import { callError } from './errors.js';

/** The constructor seam: tests and embedders may build the client another way. */
export type TransitClientFactory = (config: TransitClientConfig) => TransitClient;

const VAULT_TYPES: Record<KeyAlgorithm, string> = { Ed25519: 'ed25519', ES256: 'ecdsa-p256' };

export class HashiVaultDriver implements Driver, KeyGenerator, KeyRotator {
  readonly scheme = 'hashivault' as const;
  readonly #newClient: TransitClientFactory;

  constructor(newClient: TransitClientFactory = (config) => new NodeVaultTransitClient(config)) {
    this.#newClient = newClient;
  }

  async open(uri: KeyUri, context: OpenContext): Promise<Signer> {
    const vaultUri = asVaultUri(uri);
    const config = resolveConfig(vaultUri, context.env ?? process.env);
    const client = this.#newClient(config);
    try {
      const backend = await VaultTransitBackend.open(vaultUri.redacted, vaultUri.mount, vaultUri.keyName, client, config);
      return new CustodySigner(backend);
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Creates the Transit key (Vault keeps an existing key of that name as it is) and opens it. */
  async generate(uri: KeyUri, algorithm: KeyAlgorithm): Promise<PublicKeyInfo> {
    return this.#withKey(uri, 'keys', (client, vaultUri, bounds) =>
      client.createKey(vaultUri.mount, vaultUri.keyName, VAULT_TYPES[algorithm], bounds),
    );
  }

  /** Makes a new latest version; signers pick it up when their metadata cache expires. */
  async rotate(uri: KeyUri): Promise<PublicKeyInfo> {
    return this.#withKey(uri, 'keys', (client, vaultUri, bounds) => client.rotateKey(vaultUri.mount, vaultUri.keyName, bounds), '/rotate');
  }

  async #withKey(
    uri: KeyUri,
    op: string,
    action: (client: TransitClient, uri: HashiVaultKeyUri, bounds: { timeoutMs: number }) => Promise<void>,
    suffix = '',
  ): Promise<PublicKeyInfo> {
    const vaultUri = asVaultUri(uri);
    const config = resolveConfig(vaultUri, process.env);
    const client = this.#newClient(config);
    try {
      await action(client, vaultUri, { timeoutMs: config.defaultTimeoutMs }).catch((err) => {
        throw callError(err, { where: vaultUri.redacted, path: `${vaultUri.mount}/${op}/${vaultUri.keyName}${suffix}`, tokenSource: config.tokenSource });
      });
      const signer = new CustodySigner(await VaultTransitBackend.open(vaultUri.redacted, vaultUri.mount, vaultUri.keyName, client, config));
      const { keyVersion, spki } = await signer.publicKey();
      return publicKeyInfo(spki, keyVersion);
    } finally {
      client.close();
    }
  }
}

function asVaultUri(uri: KeyUri): HashiVaultKeyUri {
  if (uri.scheme !== 'hashivault') throw new SignetError('CONFIG', `hashivault driver cannot open a ${uri.scheme}: key`);
  return uri;
}

registerDriver(new HashiVaultDriver());
