"""Algorithm names wherever code writes them (pqscan/collect/code/lexical.py), judged by
shared/reference/code-findings.md: what must be reported, what never is, and the gate that keeps it fast."""

from __future__ import annotations

import sysconfig
import textwrap
from pathlib import Path

import pytest

from pqscan.algorithms import IdKind, all_algorithms
from pqscan.collect.code import scan_source
from pqscan.collect.code.families import finding_families
from pqscan.collect.code.lexical import _WORDS, anchor_positions, find_names, literal_algorithm, words_of
from pqscan.collect.code.scanner import CodeScanOptions

CORPUS = Path(__file__).resolve().parents[1] / "data" / "code_corpus"


def families(code: str, language: str) -> list[tuple[int, str]]:
    result = scan_source(textwrap.dedent(code).lstrip("\n"), "sample", language)
    assert not result.errors, result.errors
    return sorted({(f.evidence.line or 0, fam) for f in result.findings
                   for fam in finding_families(f.algorithm, f.parameters)})


# -- words inside identifiers: never substrings ----------------------------------------------------
@pytest.mark.parametrize(("identifier", "expected"), [
    ("ECDSAWithSHA1", ["ECDSA", "SHA-1"]), ("MD5WithRSA", ["MD5", "RSA"]), ("RSAEngine", ["RSA"]),
    ("DESedeEngine", ["3DES"]), ("ParsePKCS1PrivateKey", ["RSA"]), ("KEY_ECDSA", ["ECDSA"]),
    ("EVP_aes_256_cbc", ["AES"]), ("Ed25519Signer", ["Ed25519"]), ("RSAKEMGenerator", ["RSA"]),
    ("COSEALG_ML_DSA_44", ["ML-DSA"]), ("ECDsa", ["ECDSA"]), ("HMac", ["HMAC"]),
    ("describe", []), ("rsplit", []), ("DESCRIPTION", []), ("codes", []), ("DecodeSegment", []), ("ECB", []),
    ("section", []), ("EdECPoint", ["EdDSA"]), ("decode_dss_signature", []),
])
def test_identifier_words_are_whole_words(identifier: str, expected: list[str]) -> None:
    assert words_of(identifier) == expected


@pytest.mark.parametrize(("literal", "algorithm"), [
    ("AES/GCM/NoPadding", "AES-GCM"), ("RS256", "RSASSA-PKCS1-SHA256"), ("ecdh-sha2-nistp256", "ECDH-P256"),
    ("SHA256withECDSA", "ECDSA-SHA256"), ("HmacSHA512", "HMAC-SHA512"), ("DESede", "3DES"), ("des-ede3-cbc", "3DES"),
    ("aes256-ctr", "AES-256-CTR"), ("ssh-rsa", "RSA"), ("1.2.840.113549.1.1.1", "RSA"),
    ("RSA PRIVATE KEY", "RSA"), ("A128GCM", "AES-128-GCM"), ("EdDSA", "EdDSA"),
])
def test_a_whole_literal_that_is_an_algorithm_name_is_read(literal: str, algorithm: str) -> None:
    found = literal_algorithm(literal)
    assert found is not None and found[0] == algorithm


@pytest.mark.parametrize("literal", ["des", "codes", "hello", "ec", "sha", "none", "dir", "RSA key", "rsa_key"])
def test_ordinary_words_and_substrings_are_not_names(literal: str) -> None:
    assert literal_algorithm(literal) is None


# -- required (code-findings.md "Required") --------------------------------------------------------
def test_jca_names_in_constants_count_where_written_and_where_used() -> None:
    code = '''
    class A {
      static final String ALG = "AES/GCM/NoPadding";
      static final String KA = "XDH";
      void f() throws Exception {
        Cipher c = Helper.cipher(ALG);
        KeyAgreement k = Helper.agreement(KA);
      }
    }'''
    assert families(code, "java") == [(2, "AES"), (3, "X25519"), (3, "X448"), (5, "AES"), (6, "X25519"), (6, "X448")]


def test_jose_table_first_row_and_members() -> None:
    code = '''
    const ALGS = { RS256: rsa(256), ES384: ecdsa(384) };
    const h = JWSAlgorithm.PS256;
    '''
    assert {(1, "ECDSA"), (1, "RSA"), (2, "RSA")} <= set(families(code, "javascript"))


def test_ssh_names_in_a_table() -> None:
    code = 'KEX = [b"ecdh-sha2-nistp256", b"diffie-hellman-group14-sha1"]\n'
    assert {fam for _, fam in families(code, "python")} >= {"ECDH", "DH", "SHA1"}


def test_imports_of_algorithm_specific_modules_are_low_confidence_findings() -> None:
    go = 'package p\nimport (\n\t"crypto/rsa"\n\t"crypto/sha256"\n\t"fmt"\n)\n'
    assert families(go, "go") == [(3, "RSA")]
    py = "from cryptography.hazmat.primitives.asymmetric import ec, padding\n"
    assert families(py, "python") == [(1, "EC"), (1, "RSA")]
    c = "#include <openssl/rsa.h>\n#include <stdio.h>\n"
    assert families(c, "c") == [(1, "RSA")]
    js = "const NodeRSA = require('node-rsa');\nconst fs = require('fs');\n"
    assert families(js, "javascript") == [(1, "RSA")]
    result = scan_source(go, "k.go", "go")
    assert all(f.confidence.value == "low" for f in result.findings)


def test_go_ed25519_verify_and_typed_receiver() -> None:
    code = '''
    package p
    import "crypto/ed25519"
    func f(key interface{}, pub ed25519.PublicKey, msg, sig []byte) bool {
        k := key.(ed25519.PrivateKey)
        _ = k.Sign(nil, msg, nil)
        return ed25519.Verify(pub, msg, sig)
    }'''
    found = families(code, "go")
    assert (5, "EdDSA") in found and (6, "EdDSA") in found


def test_go_cipher_made_from_an_aes_block_is_aes() -> None:
    code = '''
    package p
    import ("crypto/aes"; "crypto/cipher")
    func f(k, n, m []byte) []byte {
        block, _ := aes.NewCipher(k)
        gcm, _ := cipher.NewGCM(block)
        return gcm.Seal(nil, n, m, nil)
    }'''
    assert [(line, fam) for line, fam in families(code, "go") if fam == "AES"] == [(2, "AES"), (4, "AES"), (5, "AES"),
                                                                                 (6, "AES")]


def test_dotnet_objects_and_their_operations() -> None:
    code = '''
    class A {
      byte[] F(byte[] d) {
        var rsa = RSA.Create();
        using var aes = Aes.Create();
        return rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
      }
    }'''
    found = families(code, "csharp")
    assert (3, "RSA") in found and (4, "AES") in found and (5, "RSA") in found


def test_bouncy_castle_lightweight_classes() -> None:
    code = '''
    import org.bouncycastle.crypto.engines.AESEngine;
    class A { void f() {
      BlockCipher e = AESEngine.newInstance();
      AsymmetricBlockCipher r = new OAEPEncoding(new RSAEngine());
      Signer s = new PSSSigner(new RSAEngine(), new SHA256Digest(), 32);
      Mac m = new HMac(new SHA1Digest());
    } }'''
    found = families(code, "java")
    assert {(3, "AES"), (4, "RSA"), (5, "RSA"), (6, "HMAC")} <= set(found)


def test_c_openssl_functions_and_constants() -> None:
    code = '''
    int f(void) {
      EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
      const EVP_CIPHER *k = EVP_des_ede3_cbc();
      return parse_rsa_header(description);
    }'''
    assert families(code, "c") == [(2, "RSA"), (3, "3DES")]  # not parse_rsa_header: a name alone


def test_key_material_parsers_and_files() -> None:
    go = 'package p\nimport "crypto/x509"\nfunc f(b []byte) { k, _ := x509.ParsePKCS1PrivateKey(b); _ = k }\n'
    assert (3, "RSA") in families(go, "go")
    rust = 'fn f() { let k = include_bytes!("private_ecdsa_key.pk8"); }\n'
    assert families(rust, "rust") == [(1, "ECDSA")]


# -- never (code-findings.md "Never findings") -----------------------------------------------------
@pytest.mark.parametrize(("language", "code"), [
    ("python", '"""Sign with RSA or ECDSA."""\nimport os\n# uses rsa and AES here\nlog.info("RSA")\n'),
    ("java", 'class A { void f() { /* RSA */ logger.debug("ECDSA"); throw new IllegalStateException("AES"); } }'),
    ("go", 'package p\nimport "fmt"\n// RSA key\nfunc f() error { return fmt.Errorf("RSA") }\n'),
    ("javascript", "const rsa_key = 1; const codes = describe('rsa'); console.log('RSA');\n"),
    ("c", "/* RSA */ int parse_rsa_header(const char *description) { return description[0]; }\n"),
    ("csharp", 'class A { string Description => "x" + "rsa"; }'),
    ("python", "def f(pad: padding.PSS | None = None) -> hashes.MD5:\n    return pad\n"),
])
def test_comments_messages_names_and_substrings_are_never_findings(language: str, code: str) -> None:
    assert scan_source(code, "sample", language).findings == []


# -- the gate: fast, and it never hides a name -----------------------------------------------------
def test_every_algorithm_word_passes_the_gate_in_every_spelling() -> None:
    for word, algorithm in _WORDS.items():
        if not algorithm or algorithm.startswith("SHA-") and algorithm != "SHA-1":
            continue  # SHA-2 words only complete an HMAC name ("HMACSHA256"), which holds "hmac"
        for spelling in {word, word.upper(), word.capitalize()}:
            if words_of(spelling, loose=True):
                assert anchor_positions(f"x = {spelling};"), spelling


def test_every_catalogue_name_the_literal_reader_accepts_passes_the_gate() -> None:
    kinds = {IdKind.NAME, IdKind.JOSE, IdKind.SSH_KEX, IdKind.SSH_HOST_KEY, IdKind.SSH_CIPHER, IdKind.SSH_MAC,
             IdKind.OID, IdKind.LIBOQS}
    for alg in all_algorithms():
        for kind, ident in alg.identifiers:
            if kind in kinds and isinstance(ident, str) and literal_algorithm(ident) is not None:
                assert anchor_positions(f'x = "{ident}"'), ident


def _samples() -> list[tuple[str, str]]:
    out = [(p.read_text(encoding="utf-8"), {".py": "python", ".java": "java", ".go": "go", ".js": "javascript",
                                            ".c": "c", ".cs": "csharp", ".rs": "rust"}[p.suffix])
           for p in sorted(CORPUS.rglob("*")) if p.suffix in (".py", ".java", ".go", ".js", ".c", ".cs", ".rs")]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in ("hashlib.py", "hmac.py", "ssl.py", "secrets.py", "uuid.py", "smtplib.py", "http/client.py"):
        if (stdlib / name).is_file():
            out.append(((stdlib / name).read_text(encoding="utf-8", errors="replace"), "python"))
    return out


def test_the_gate_finds_what_scanning_every_token_finds() -> None:
    for text, language in _samples():
        assert find_names(text, language) == find_names(text, language, gate=False)


def test_the_scanner_finds_the_same_with_and_without_its_prefilters() -> None:
    for text, language in _samples():
        def key(opts: CodeScanOptions) -> list[tuple[int, str, str]]:
            r = scan_source(text, "f", language, opts)  # noqa: B023
            return [(f.evidence.line or 0, f.algorithm, f.usage.value) for f in r.findings]
        assert key(CodeScanOptions()) == key(CodeScanOptions(parse_all=True))


def test_a_call_of_a_one_line_wrapper_counts_where_it_is_used() -> None:
    code = '''
    import hashlib

    def legacy_digest(data):
        return hashlib.md5(data).hexdigest()

    def store(blob):
        return legacy_digest(blob)
    '''
    result = scan_source(textwrap.dedent(code).lstrip("\n"), "w.py", "python")
    wrapped = [f for f in result.findings if "via_wrapper" in f.parameters]
    assert [(f.evidence.line, f.algorithm, f.confidence.value) for f in wrapped] == [(7, "MD5", "low")]


def test_a_long_function_is_not_a_wrapper() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(10))
    code = f"import hashlib\n\ndef work(data):\n{body}\n    return hashlib.md5(data)\n\nwork(b'')\n"
    assert all("via_wrapper" not in f.parameters for f in scan_source(code, "w.py", "python").findings)


def test_every_key_type_literal_passes_the_gate() -> None:
    from pqscan.collect.code.lexical import _KEY_TYPES

    for name in _KEY_TYPES:
        assert literal_algorithm(name) is not None and anchor_positions(f'kty = "{name}"'), name
