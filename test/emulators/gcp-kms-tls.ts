// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI,
// trusted only by the test that asks for it: the GCP emulator serves gRPC over TLS with it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayTls {
  caPem: string;
  /** Path of the CA file, for a key URI's ca-file parameter. */
  caFile: string;
  certPem: string;
  keyPem: string;
  dispose(): void;
}

export function makeThrowawayTls(): ThrowawayTls {
  const dir = mkdtempSync(join(tmpdir(), 'signet-gcpkms-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '1', '-subj', '/CN=signet throwaway test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(path('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-out', path('server.pem'), '-days', '1', '-extfile', path('ext.cnf'));
  return {
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    caFile: path('ca.pem'),
    certPem: readFileSync(path('server.pem'), 'utf8'),
    keyPem: readFileSync(path('server.key'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
