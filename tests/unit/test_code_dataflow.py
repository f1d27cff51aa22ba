"""Operations on values whose algorithm was fixed somewhere else in the same file (code-findings.md, Required 1:
"methods on a typed receiver", "wrapper classes"): a field typed in its declaration or in the constructor, a
variable cast or looked up in a table of key classes, a class attribute annotated with a key type."""

from __future__ import annotations

import textwrap

from pqscan.collect.code import scan_source
from pqscan.collect.code.families import finding_families


def families(code: str, language: str) -> list[tuple[int, str]]:
    result = scan_source(textwrap.dedent(code).lstrip("\n"), "sample", language)
    assert not result.errors, result.errors
    return sorted({(f.evidence.line or 0, fam) for f in result.findings
                   for fam in finding_families(f.algorithm, f.parameters)})


def test_java_field_typed_once_is_typed_in_every_method() -> None:
    code = """
    public class KemOpener {
        private final KyberishEngine engine;
        private MLKEMEngine kem;

        public KemOpener(Params p) {
            kem = MLKEMEngine.getInstance(p);
        }

        public byte[] open(byte[] ct) {
            return kem.kemDecrypt(ct);
        }

        public void reset(Params p) {
            kem = MLKEMEngine.getInstance(p);
        }
    }
    """
    found = families(code, "java")
    assert (10, "ML-KEM") in found  # the field typed in the constructor, used in another method
    assert not any(line == 2 for line, _ in found)  # a type name with no algorithm word is nothing


def test_csharp_untyped_field_declaration_takes_the_constructor_type() -> None:
    code = """
    internal sealed class Verifier
    {
        private readonly DigestWrapper _signer;

        public Verifier(ICipherParameters key)
        {
            _signer = new DigestWrapper(new ECDsaSigner(), new Sha256Digest());
        }

        public bool Check(byte[] data, byte[] sig)
        {
            _signer.Init(forSigning: false, _key);
            _signer.BlockUpdate(data, 0, data.Length);
            return _signer.VerifySignature(sig);
        }
    }
    """
    found = families(code, "csharp")
    assert (12, "ECDSA") in found and (14, "ECDSA") in found
    assert (13, "ECDSA") not in found  # BlockUpdate is not an operation of its own


def test_local_variable_of_another_method_does_not_type_this_one() -> None:
    code = """
    class Box {
        private void a() {
            Signer s = new Ed25519Signer();
            s.init(true, k);
        }
        private void b(Signer s) {
            s.init(true, k);
        }
    }
    """
    found = families(code, "java")
    assert (3, "EdDSA") in found and (4, "EdDSA") in found
    assert not any(line == 7 for line, _ in found)


def test_operation_verbs_start_a_method_name_but_not_a_word() -> None:
    code = """
    class M {
        private MLDSAEngine engine;
        boolean v(byte[] mu) {
            boolean a = engine.verifyInternalMu(mu);
            byte[] s = engine.signature();
            return engine.signalling(a);
        }
    }
    """
    found = families(code, "java")
    assert (4, "ML-DSA") in found
    assert not any(line in (5, 6) for line, _ in found)


def test_python_cast_to_a_key_type_or_an_alias_of_key_types() -> None:
    code = """
    from typing import Union, cast
    from cryptography.hazmat.primitives.asymmetric import ed25519, ed448, dsa

    _OkpSigner = Union[ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey]


    class Wrapped:
        def sign(self, data):
            signer = cast('_OkpSigner', self.inner)
            return signer.sign(data)

        def sign_dsa(self, data, h):
            k = cast('dsa.DSAPrivateKey', self.inner)
            return k.sign(data, h)

        def size(self):
            k = cast('Holder', self.inner)
            return k.sign_count
    """
    found = families(code, "python")
    assert (10, "EdDSA") in found and (14, "DSA") in found
    assert not any(line == 18 for line, _ in found)  # a cast to a type that names no algorithm, an attribute


def test_python_table_of_key_classes_types_what_is_looked_up_and_made_from_it() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import mlkem, ed25519, x25519

    _KEM_CLASSES = {
        'kem768': (mlkem.MLKEM768PrivateKey, mlkem.MLKEM768PublicKey),
    }
    _BY_CURVE = {'ed': ed25519.Ed25519PrivateKey, 'x': x25519.X25519PrivateKey}
    _SIZES = {'kem768': (1184, 2400)}


    class Kem:
        def __init__(self, name):
            self._priv_cls, self._pub_cls = _KEM_CLASSES[name]
            self._priv = self._priv_cls.generate()
            self._n = _SIZES[name]

        def encaps(self, peer):
            pub = self._pub_cls.from_public_bytes(peer)
            return pub.encapsulate()

        def decaps(self, ct):
            return self._priv.decapsulate(ct)


    def make(curve='ed'):
        cls = _BY_CURVE[curve]
        return cls.generate()
    """
    found = families(code, "python")
    for line in (13, 17, 18, 21):
        assert (line, "ML-KEM") in found, line
    assert not any(line == 14 for line, _ in found)  # a table of sizes types nothing
    # one operation on a key of several possible types: one finding that names them all
    result = scan_source(textwrap.dedent(code).lstrip("\n"), "sample", "python")
    (made,) = [f for f in result.findings if f.evidence.line == 26]
    assert made.parameters["family"] == "EdDSA|X25519"


def test_python_class_attribute_annotation_types_the_attribute_in_methods() -> None:
    code = """
    from .crypto import EdDSAPublicKey


    class SecurityKey:
        _key: EdDSAPublicKey
        _handle: bytes

        def check(self, data, sig):
            return self._key.verify(data, sig)

        def check_handle(self, data, sig):
            return self._handle.verify(data, sig)
    """
    found = families(code, "python")
    assert (9, "EdDSA") in found
    assert not any(line == 12 for line, _ in found)


def test_a_function_named_for_the_family_its_body_uses_wraps_it_however_long() -> None:
    code = """
    function _md5Concat() {
      var md = forge.md.md5.create();
      var n = arguments.length;
      for (var i = 0; i < n; ++i) {
        md.update(arguments[i]);
      }
      return md.digest();
    }
    async function aesKwWrap(key, cek) {
      const k = await crypto.subtle.importKey("raw", cek, { hash: "SHA-256", name: "HMAC" }, true, ["sign"]);
      return crypto.subtle.wrapKey("raw", k, key, "AES-KW");
    }
    function keyFrom(pass, salt) {
      const a = _md5Concat(pass, salt);
      const wrapped = aesKwWrap(kek, a);
      return helperCheck(wrapped);
    }
    function helperCheck(x) {
      const a = crypto.createHash("sha1").update(x).digest();
      const b = crypto.createHmac("sha256", k).update(x).digest();
      return a;
    }
    """
    found = families(code, "javascript")
    assert (14, "MD5") in found  # a 7-line body: too long for an anonymous wrapper, but its name says MD5
    assert (15, "AES") in found and (15, "HMAC") not in found  # the name picks AES from the body's two families
    assert not any(line == 16 for line, _ in found)  # a name with no family, a body with two: not a wrapper


def test_java_mac_whose_name_comes_from_the_key_is_hmac_with_the_hash_unknown() -> None:
    code = """
    import javax.crypto.Mac;

    final class Tagger {
        static Mac macFor(SecretKey secretKey) throws Exception {
            Mac mac = Mac.getInstance(secretKey.getAlgorithm());
            mac.init(secretKey);
            return mac;
        }
    }
    """
    result = scan_source(textwrap.dedent(code).lstrip("\n"), "sample", "java")
    (mac,) = [f for f in result.findings if f.evidence.line == 5]
    assert mac.algorithm == "HMAC" and "secretKey.getAlgorithm()" in mac.parameters["unknown_reason"]


def test_rust_jsonwebtoken_encode_and_decode_use_the_header_and_validation_algorithm() -> None:
    code = """
    use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};

    fn roundtrip(claims: &Claims, pem: &[u8], jwk: &Jwk) {
        let token = encode(
            &Header::new(Algorithm::ES256),
            claims,
            &EncodingKey::from_ec_pem(pem).unwrap(),
        ).unwrap();
        let ok = decode::<Claims>(
            &token,
            &DecodingKey::from_jwk(jwk).unwrap(),
            &Validation::new(Algorithm::EdDSA),
        );
        let refused = decode::<Claims>(
            &token,
            &DecodingKey::from_secret(b"secret"),
            &Validation::new(Algorithm::RS512),
        );
    }
    """
    found = families(code, "rust")
    assert (4, "ECDSA") in found  # encode: the header's algorithm
    assert (9, "EdDSA") in found  # decode: the validation's algorithm (the JWK's type is not written)
    # an HMAC key with an RSA validation: jsonwebtoken refuses the call (InvalidAlgorithm), nothing is verified
    assert (14, "RSA") not in found and (17, "RSA") in found


def test_node_rsa_raw_key_operations_are_rsa() -> None:
    code = """
    Scheme.prototype.sign = function (buffer) {
        var encoded = this.encode(digestOf(buffer), this.key.keySize - 1);
        return this.key.$doPrivate(new BigInteger(encoded)).toBuffer(this.key.encryptedDataLength);
    };
    Scheme.prototype.check = function (sig) {
        return this.key.$doPublic(new BigInteger(sig));
    };
    """
    assert families(code, "javascript") == [(3, "RSA"), (6, "RSA")]


def test_go_another_files_encrypter_given_a_typed_block_operates_with_its_family() -> None:
    code = """
    package kw

    import "crypto/aes"

    func seal(kek, in []byte) []byte {
        block, err := aes.NewCipher(kek)
        if err != nil {
            panic(err)
        }
        out := make([]byte, len(in))
        NewECBEncrypter(block).CryptBlocks(out, in)
        NewReader(block)
        return out
    }

    func pad(block []byte) []byte { return encryptLocal(block) }

    func encryptLocal(b []byte) []byte { return b }
    """
    found = families(code, "go")
    assert (11, "AES") in found
    assert not any(line in (12, 16) for line, _ in found)  # not an operation word; the file's own function


def test_c_call_that_encrypts_a_length_of_bytes_is_an_operation_not_a_size() -> None:
    code = """
    static int
    do_crypt(struct ctx *cc, u_char *dest, const u_char *src, u_int len)
    {
        aesctr_encrypt_bytes(&cc->ac_ctx, src, dest, len);
        memset(dest, 0, AES_BLOCK_BYTES);
        return 0;
    }
    """
    found = families(code, "c")
    assert (4, "AES") in found and not any(line == 5 for line, _ in found)
