// A throwaway certificate authority for HTTPS emulators: a CA and a 127.0.0.1/localhost server
// certificate made with the openssl CLI in a temp dir (node:crypto cannot issue X.509 itself).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
  /** PEM of the CA certificate: the only thing a client must trust. */
  caPem: string;
  /** Path of the CA certificate file (for a `ca-file` setting). */
  caFile: string;
  /** Server certificate (for 127.0.0.1 and localhost) and its private key, PEM. */
  certPem: string;
  keyPem: string;
  /** Deletes the temp dir. */
  dispose(): void;
}

export function makeThrowawayCa(commonName = 'Signet throwaway test CA'): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'signet-ca-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  openssl('req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '2', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-new', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(path('server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ].join('\n'));
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-out', path('server.pem'), '-days', '2', '-extfile', path('server.ext'));

  return {
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    caFile: path('ca.pem'),
    certPem: readFileSync(path('server.pem'), 'utf8'),
    keyPem: readFileSync(path('server.key'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
