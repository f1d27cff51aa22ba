// Node crypto. RSA, DES and MD5 in comments are not findings: crypto.createHash('md5')
const crypto = require('crypto');
const { createHmac } = require('node:crypto');
const jwt = require('jsonwebtoken');

const KEY_BITS = 1024;
const CIPHER = 'des-ede3-cbc';  // expect: 3DES unknown

function keys() {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: KEY_BITS }); // expect: RSA key-generation
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }); // expect: ECDSA-P256 key-generation
  const ed = crypto.generateKeyPairSync('ed25519'); // expect: Ed25519 signature
  const x = crypto.generateKeyPairSync('x25519'); // expect: X25519 key-exchange
  return [rsa, ec, ed, x];
}

function hashing(data, key) {
  const a = crypto.createHash('md5').update(data).digest('hex'); // expect: MD5 hashing
  const b = createHmac('sha1', key).update(data).digest(); // expect: HMAC-SHA1 mac
  const c = crypto.createCipheriv(CIPHER, key, Buffer.alloc(8)); // expect: 3DES symmetric
  const d = crypto.createCipheriv('aes-256-gcm', key, Buffer.alloc(12)); // expect: AES-256-GCM symmetric
  const e = crypto.createECDH('secp384r1'); // expect: ECDH-P384 key-exchange
  return [a, b, c, d, e];
}

function tokens(payload, secret, privateKey) {
  const t1 = jwt.sign(payload, secret); // expect: HMAC-SHA256 mac
  const t2 = jwt.sign(payload, privateKey, { algorithm: 'RS256' }); // expect: RSA signature
  const t3 = jwt.sign(payload, secret, { expiresIn: '1h' }); // expect: HMAC-SHA256 mac
  return [t1, t2, t3];
}

function lookAlikes(description, nodes) {
  console.log('rsa des md5 ecdsa', description, nodes);
  const address = { algorithm: 'des-ede3-cbc', hash: 'md5' };  // expect: 3DES unknown, MD5 unknown
  throw new Error(`unsupported: ${address.algorithm}`);
}

module.exports = { keys, hashing, tokens, lookAlikes };
