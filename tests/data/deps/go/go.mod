module example.com/edge-proxy

go 1.22

toolchain go1.24.1

require (
	github.com/cloudflare/circl v1.3.9
	golang.org/x/crypto v0.31.0
	golang.org/x/net v0.33.0 // indirect
)

require github.com/stretchr/testify v1.9.0
