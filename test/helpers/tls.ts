// A throwaway CA with server and client certificates (openssl CLI), for TLS and mTLS tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Issues a client certificate with the given CN (and optional URI SAN); returns file paths. */
  client(cn: string, uriSan?: string): { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'signet-pki-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Signet Test CA'], dir);
  const issue = (name: string, subject: string, ext: string) => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
    return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  };
  const server = issue('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: server.cert,
    serverKey: server.key,
    client(cn, uriSan) {
      const ext = `extendedKeyUsage=clientAuth\n${uriSan ? `subjectAltName=URI:${uriSan}\n` : ''}`;
      return issue(`client${n++}`, `/CN=${cn.replace(/[/\\]/g, "\\$&")}`, ext);
    },
  };
}

export const read = (path: string): Buffer => readFileSync(path);
