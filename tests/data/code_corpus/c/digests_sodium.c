#include <openssl/evp.h>
#include <sodium.h>

/* MD5 and DES are only words in this comment; so is crypto_sign_keypair(). */
void digests(EVP_CIPHER_CTX *c, const unsigned char *key, const unsigned char *iv) {
    const EVP_MD *md = EVP_md5(); // expect: MD5 hashing
    const EVP_MD *sha = EVP_MD_fetch(NULL, "SHA1", NULL); // expect: SHA-1 hashing
    EVP_EncryptInit_ex(c, EVP_des_ede3_cbc(), NULL, key, iv); // expect: 3DES symmetric
    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, iv); // expect: AES-128-ECB symmetric
    const EVP_CIPHER *rc4 = EVP_CIPHER_fetch(NULL, "RC4", NULL); // expect: RC4 symmetric
    (void)md; (void)sha; (void)rc4;
}

void sodium(unsigned char *pk, unsigned char *sk) {
    crypto_box_keypair(pk, sk); // expect: X25519 key-exchange
    crypto_sign_keypair(pk, sk); // expect: Ed25519 signature
    crypto_kx_keypair(pk, sk); // expect: X25519 key-exchange
}

int describe_nodes(const char *description) {
    return description[0] == 'd';
}
