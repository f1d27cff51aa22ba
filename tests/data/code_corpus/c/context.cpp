#include <openssl/evp.h>
#include <string>

namespace corpus {
// std::string des = "md5"; -- a comment
class Hasher {
 public:
  std::string digest_name() const { return "sha1"; }
  const EVP_MD *md() const { return ::EVP_sha1(); } // expect: SHA-1 hashing
  EVP_PKEY *key() const { return EVP_RSA_gen(2048); } // expect: RSA key-generation
};
}  // namespace corpus
