// The custody contract against the pkcs11 driver on a real SoftHSM 2 token (throwaway directory),
// opened again by token serial and CKA_ID instead of label to check the key id.
import { openSigner, driverFor, parseKeyUri, canGenerate, type KeyAlgorithm } from '../../src/signers/index.js';
import { softhsmToken } from '../helpers/softhsm.js';
import { runConformance } from './conformance.js';

const token = softhsmToken();
const ids: Record<KeyAlgorithm, string> = { Ed25519: '%70%01', ES256: '%70%02' };
const labels: Record<KeyAlgorithm, string> = { Ed25519: 'conformance-ed25519', ES256: 'conformance-p256' };

runConformance({
  name: 'pkcs11 (SoftHSM 2)',
  algorithms: ['Ed25519', 'ES256'],
  async setup() {
    for (const alg of ['Ed25519', 'ES256'] as const) {
      const uri = parseKeyUri(`pkcs11:token=${token.label};object=${labels[alg]};id=${ids[alg]}?${token.query}`);
      const driver = driverFor(uri);
      if (!canGenerate(driver)) throw new Error('pkcs11 driver lacks generate');
      await driver.generate(uri, alg);
    }
  },
  open: (alg) => openSigner(`pkcs11:token=${token.label};object=${labels[alg]}?${token.query}`),
  openAgain: (alg) => openSigner(`pkcs11:serial=${token.serial};id=${ids[alg]}?${token.query}`),
});
