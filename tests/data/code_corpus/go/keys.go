// Package corpus generates keys. RSA, DES and MD5 in this comment are not findings.
package corpus

import (
	"crypto/ecdh"  // expect: ECDH unknown
	"crypto/ecdsa"  // expect: ECDSA unknown
	"crypto/ed25519"  // expect: Ed25519 unknown
	"crypto/elliptic"  // expect: ECDSA unknown
	"crypto/mlkem"  // expect: ML-KEM unknown
	"crypto/rand"
	r "crypto/rsa"  // expect: RSA unknown
	"log"
)

const legacyBits = 1024

func Keys(bits int) {
	weak, _ := r.GenerateKey(rand.Reader, legacyBits) // expect: RSA key-generation
	any, _ := r.GenerateKey(rand.Reader, bits) // expect: RSA key-generation
	curve := elliptic.P384()  // expect: ECDSA-P384 unknown
	signer, _ := ecdsa.GenerateKey(curve, rand.Reader) // expect: ECDSA-P384 signature
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // expect: ECDSA-P256 signature
	kx, _ := ecdh.X25519().GenerateKey(rand.Reader) // expect: X25519 key-exchange
	nist, _ := ecdh.P256().GenerateKey(rand.Reader) // expect: ECDH-P256 key-exchange
	pub, priv, _ := ed25519.GenerateKey(rand.Reader) // expect: Ed25519 signature
	dk, _ := mlkem.GenerateKey768() // expect: ML-KEM-768 key-exchange
	log.Printf("generated rsa/des/md5 keys: %v %v %v %v %v %v %v %v %v", weak, any, signer, p256, kx, nist, pub, priv, dk)
}
