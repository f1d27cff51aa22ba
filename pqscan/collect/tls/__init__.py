"""TLS endpoint collector: raw ClientHello group probes, a full handshake for the chain, STARTTLS."""
