//! Keys with the rsa, ring and dalek crates. `RsaPrivateKey::new(&mut rng, 512)` in a doc comment is not a finding.
use ring::{agreement, digest, signature};
use rsa::RsaPrivateKey;  // expect: RSA unknown
use sha1::{Digest, Sha1};  // expect: SHA-1 unknown

const LEGACY_BITS: usize = 1024;

fn keys(rng: &mut impl rand::RngCore, sys: &ring::rand::SystemRandom, pkcs8: &[u8]) {
    let weak = RsaPrivateKey::new(rng, LEGACY_BITS); // expect: RSA key-generation
    let kp = signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, sys); // expect: ECDSA-P256 signature
    let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, sys); // expect: X25519 key-exchange
    let nist = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, sys); // expect: ECDH-P256 key-exchange
    let legacy = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, b"data"); // expect: SHA-1 hashing
    let _ = (weak, kp, eph, nist, legacy);
}

fn hashes(data: &[u8]) {
    let a = md5::compute(data); // expect: MD5 hashing
    let mut h = Sha1::new(); // expect: SHA-1 hashing
    h.update(data);
    println!("rsa des md5 {:?}", a);
}
