module example.com/tlsclient

go 1.24.0

godebug (
	tlsmlkem=0
)
