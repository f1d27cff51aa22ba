import * as nodeCrypto from 'node:crypto';

export async function webcrypto(data, key) {
  const subtle = globalThis.crypto.subtle;
  const pss = await crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign']); // expect: RSA signature
  const ecdh = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']); // expect: ECDH-P256 key-exchange
  const ecdsa = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']); // expect: ECDSA-P384 signature
  const digest = await crypto.subtle.digest('SHA-1', data); // expect: SHA-1 hashing
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data); // expect: ECDSA signature
  const h = nodeCrypto.createHash('sha256'); // expect: SHA-256 hashing
  return [subtle, pss, ecdh, ecdsa, digest, sig, h];
}
