// @peculiar/x509 resolves its parts through tsyringe, which needs the reflect polyfill first.
import 'reflect-metadata';

import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as x509 from '@peculiar/x509';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** Removes the files. */
  remove(): void;
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid for a day, made for the test run
 * with @peculiar/x509 on node's WebCrypto (node's crypto makes keys but not certificates). It is
 * its own CA: a client that trusts it can verify the broker that serves it.
 */
export async function makeTestCertificate(commonName = '127.0.0.1'): Promise<TestCertificate> {
  const keys = await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const cert = Buffer.from(certificate.toString('pem'));
  const key = Buffer.from(KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }));
  const dir = mkdtempSync(join(tmpdir(), 'bfr-rx-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  return { certFile, keyFile, cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
