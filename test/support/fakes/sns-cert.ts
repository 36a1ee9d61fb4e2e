import { loadX509 } from '../../../src/domain/sns';

/**
 * A self-made RSA key and certificate standing in for AWS's SNS signing certificate. Web Crypto
 * and @peculiar/x509 only, so the Node suite and the workerd suite share it.
 */
export async function makeSnsCertificate(): Promise<{ pem: string; keys: CryptoKeyPair }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const x509 = await loadX509();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'CN=sns.amazonaws.com', notBefore: new Date(Date.now() - 864e5), notAfter: new Date(Date.now() + 864e5), keys, signingAlgorithm: alg },
    crypto,
  );
  return { pem: cert.toString('pem'), keys };
}
