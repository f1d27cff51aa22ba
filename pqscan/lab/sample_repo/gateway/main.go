package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"log"
	"net/http"
)

func main() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	_ = key
	cfg := &tls.Config{
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256},
	}
	srv := &http.Server{Addr: ":8443", TLSConfig: cfg}
	log.Fatal(srv.ListenAndServeTLS("cert.pem", "key.pem"))
}
