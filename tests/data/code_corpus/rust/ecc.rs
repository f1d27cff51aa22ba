use ed25519_dalek::SigningKey;
use rand_core::OsRng;

struct Description {
    nodes: Vec<String>, // "des" in description, "rsa" in parse_rsa_header: not findings
}

fn parse_rsa_header(d: &Description) -> usize {
    d.nodes.len()
}

fn ecc() {
    let secret = p256::ecdh::EphemeralSecret::random(&mut OsRng); // expect: ECDH-P256 key-exchange
    let signing = p256::ecdsa::SigningKey::random(&mut OsRng); // expect: ECDSA-P256 signature
    let ed = SigningKey::generate(&mut OsRng); // expect: Ed25519 signature
    let x = x25519_dalek::EphemeralSecret::random_from_rng(OsRng); // expect: X25519 key-exchange
    let group = rustls::crypto::ring::kx_group::X25519; // expect: X25519 key-exchange
}
