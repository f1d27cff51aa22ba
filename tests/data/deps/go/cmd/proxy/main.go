package main

import (
	"crypto/tls"
	"log"

	"golang.org/x/crypto/ssh"
)

func main() {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	_ = ssh.ClientConfig{}
	log.Println(cfg)
}
