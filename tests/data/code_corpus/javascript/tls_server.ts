import * as tls from 'node:tls';
import { createHash } from 'crypto';

interface Options {
  description: string; // "des" inside a word is not 3DES
}

export function server(opts: Options): tls.SecureContext {
  const hash: string = createHash('sha1').update(opts.description).digest('hex'); // expect: SHA-1 hashing
  return tls.createSecureContext({
    minVersion: 'TLSv1', // expect@-1: TLS1.0 protocol
    ecdhCurve: 'X25519:P-256', // expect@-2: X25519 key-exchange, ECDH-P256 key-exchange
  });
}
