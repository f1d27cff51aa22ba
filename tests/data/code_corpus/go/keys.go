// Package corpus generates keys. RSA, DES and MD5 in this comment are not findings.
package corpus

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/mlkem"
	"crypto/rand"
	r "crypto/rsa"
	"log"
)

const legacyBits = 1024

func Keys(bits int) {
	weak, _ := r.GenerateKey(rand.Reader, legacyBits) // expect: RSA key-generation
	any, _ := r.GenerateKey(rand.Reader, bits) // expect: RSA key-generation
	curve := elliptic.P384()
	signer, _ := ecdsa.GenerateKey(curve, rand.Reader) // expect: ECDSA-P384 signature
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // expect: ECDSA-P256 signature
	kx, _ := ecdh.X25519().GenerateKey(rand.Reader) // expect: X25519 key-exchange
	nist, _ := ecdh.P256().GenerateKey(rand.Reader) // expect: ECDH-P256 key-exchange
	pub, priv, _ := ed25519.GenerateKey(rand.Reader) // expect: Ed25519 signature
	dk, _ := mlkem.GenerateKey768() // expect: ML-KEM-768 key-exchange
	log.Printf("generated rsa/des/md5 keys: %v %v %v %v %v %v %v %v %v", weak, any, signer, p256, kx, nist, pub, priv, dk)
}
