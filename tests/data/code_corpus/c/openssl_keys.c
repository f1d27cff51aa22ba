/* OpenSSL key generation. RSA_generate_key_ex(rsa, 512, e, NULL) in a comment is not a finding. */
#include <openssl/evp.h>
#include <openssl/rsa.h>  // expect: RSA unknown
#include <openssl/ssl.h>
#include <stdio.h>

#define LEGACY_BITS 1024
#define GROUPS "X25519MLKEM768:X25519:P-256"

static const char *description = "des md5 rsa";

int keys(RSA *rsa, BIGNUM *e, SSL_CTX *sctx) {  // expect: RSA unknown
    RSA_generate_key_ex(rsa, LEGACY_BITS, e, NULL); // expect: RSA key-generation
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL); // expect: RSA key-generation
    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 3072);
    EVP_PKEY_CTX *ectx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL); // expect: ECDSA-P384 key-generation
    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ectx, NID_secp384r1);  // expect: ECDSA-P384 unknown
    EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1); // expect: ECDSA-P256 key-generation
    EVP_PKEY *pq = EVP_PKEY_Q_keygen(NULL, NULL, "ML-KEM-768"); // expect: ML-KEM-768 key-exchange
    EVP_PKEY *r2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048); // expect: RSA key-generation
    SSL_CTX_set1_groups_list(sctx, GROUPS); // expect: X25519MLKEM768 key-exchange, X25519 key-exchange, ECDH-P256 key-exchange
    SSL_CTX_set_min_proto_version(sctx, TLS1_VERSION); // expect: TLS1.0 protocol
    printf("rsa des %s\n", description);
    return k != NULL && pq != NULL && r2 != NULL;
}
