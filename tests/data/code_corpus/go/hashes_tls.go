package corpus

import (
	"crypto/des"  // expect: DES unknown
	"crypto/hmac"  // expect: HMAC unknown
	"crypto/md5"  // expect: MD5 unknown
	"crypto/rc4"  // expect: RC4 unknown
	"crypto/sha1"  // expect: SHA-1 unknown
	"crypto/sha256"
	"crypto/tls"
	"errors"
)

var errDes = errors.New("des: key size must be 24; md5 not allowed")

func Hashes(key, data []byte) {
	h := md5.New() // expect: MD5 hashing
	sum := sha1.Sum(data) // expect: SHA-1 hashing
	strong := sha256.Sum256(data) // expect: SHA-256 hashing
	mac := hmac.New(sha1.New, key) // expect: HMAC-SHA1 mac
	block, _ := des.NewTripleDESCipher(key) // expect: 3DES symmetric
	single, _ := des.NewCipher(key[:8]) // expect: DES symmetric
	stream, _ := rc4.NewCipher(key) // expect: RC4 symmetric
	_, _, _, _, _, _, _ = h, sum, strong, mac, block, single, stream
}

func Config() *tls.Config {
	return &tls.Config{
		MinVersion:       tls.VersionTLS10, // expect: TLS1.0 protocol
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256}, // expect: X25519MLKEM768 key-exchange, X25519 key-exchange, ECDH-P256 key-exchange
	}
}

func describeNodes(description string, nodes []string) string {
	// sha1 and des are only words here
	return description + "rsa"
}
