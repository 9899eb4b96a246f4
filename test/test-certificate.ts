import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** Removes the files. */
  remove(): void;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid for a day, made with openssl for
 * the test run (node's crypto makes keys but not certificates). It is its own CA: a client that
 * trusts it can verify the broker that serves it.
 */
export function makeTestCertificate(commonName = '127.0.0.1'): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', keyFile, '-out', certFile,
    ],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
