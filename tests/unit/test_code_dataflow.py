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
