"""Behaviour of the source-code scanner, one specification per test."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqscan.cli import cli
from pqscan.collect.code import CodeScanOptions, scan_paths, scan_source
from pqscan.collect.walk import WalkOptions
from pqscan.model import Confidence, ErrorKind, Usage


def findings(code: str, language: str, name: str = "sample", imports: bool = False):  # type: ignore[no-untyped-def]
    """The findings of one snippet; the import lines' own findings (specified in test_code_names.py) left out."""
    result = scan_source(textwrap.dedent(code), name, language)
    assert not result.errors, result.errors
    return [f for f in result.findings if imports or "import" not in f.parameters]


def summary(code: str, language: str) -> list[tuple[int, str, str]]:
    return [(f.evidence.line or 0, f.algorithm, f.usage.value) for f in findings(code, language)]


def test_ecdh_key_agreement_is_not_reported_as_ecdsa() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP384R1())
    shared = key.exchange(ec.ECDH(), peer)
    """
    assert summary(code, "python") == [(3, "ECDH-P384", "key-exchange"), (4, "ECDH-P384", "key-exchange")]


def test_ecdsa_signature_is_reported_as_ecdsa() -> None:
    code = """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    sig = key.sign(data, ec.ECDSA(hashes.SHA256()))
    """
    assert summary(code, "python") == [(4, "ECDSA-P256", "signature"), (5, "ECDSA-P256", "signature")]


def test_java_key_agreement_ecdh_is_key_exchange() -> None:
    code = 'class A { void f() { KeyAgreement ka = KeyAgreement.getInstance("ECDH"); } }'
    assert summary(code, "java") == [(1, "ECDH", "key-exchange")]


def test_x25519_is_key_exchange_and_ed25519_is_signature() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
    a = x25519.X25519PrivateKey.generate()
    b = ed25519.Ed25519PrivateKey.generate()
    """
    assert summary(code, "python") == [(3, "X25519", "key-exchange"), (4, "Ed25519", "signature")]


@pytest.mark.parametrize("language,code", [
    ("python", 'def parse_rsa_header(description, nodes):\n    address = "des"\n    return description'),
    ("java", 'class A { String description = "des"; void parseRsaHeader(String nodes) { log.info("DES RSA"); } }'),
    ("go", 'package a\nfunc parseRsaHeader(description string) string { return description + "des" }'),
    ("javascript", 'function parseRsaHeader(description, nodes) { const address = "des"; return nodes; }'),
    ("c", 'int parse_rsa_header(const char *description) { return description[0] == \'d\'; }'),
    ("rust", 'fn parse_rsa_header(description: &str) -> usize { description.len() }'),
    ("csharp", 'class A { string Description = "des"; void ParseRsaHeader() { } }'),
])
def test_des_in_identifier_is_not_a_finding(language: str, code: str) -> None:
    assert findings(code, language) == []


def test_algorithm_names_in_comments_docstrings_and_log_messages_are_not_findings() -> None:
    code = '''
    """Uses hashlib.md5() and RSA.generate(1024) -- in a docstring."""
    import logging
    # hashlib.md5(b"x") in a comment
    logging.info("falling back to DES and MD5")
    raise ValueError("hashlib.new('sha1') is forbidden")
    '''
    assert findings(code, "python") == []


def test_key_size_from_module_constant_is_propagated() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import rsa
    KEY_BITS = 1024
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    """
    (f,) = findings(code, "python")
    assert f.parameters["key_bits"] == 1024
    assert f.parameters["key_bits_from"] == "module constant KEY_BITS"


def test_key_size_from_default_argument_is_propagated() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import rsa
    def make(bits=2048):
        return rsa.generate_private_key(65537, bits)
    """
    (f,) = findings(code, "python")
    assert f.parameters["key_bits"] == 2048


def test_key_size_assigned_twice_is_not_guessed() -> None:
    code = """
    from cryptography.hazmat.primitives.asymmetric import rsa
    bits = 1024
    bits = 4096
    key = rsa.generate_private_key(65537, bits)
    """
    (f,) = findings(code, "python")
    assert f.parameters["key_bits"] is None


def test_unknown_key_size_is_reported_with_reason_not_dropped() -> None:
    code = 'package a\nimport "crypto/rsa"\nfunc f(n int) { rsa.GenerateKey(r, n) }'
    (f,) = findings(code, "go")
    assert f.algorithm == "RSA"
    assert f.parameters["key_bits"] is None
    assert "n" in f.parameters["unknown_reason"]


def test_java_initialize_sets_key_size_of_the_generator() -> None:
    code = """
    class A { void f() {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
      kpg.initialize(1024);
    } }"""
    (f,) = findings(code, "java")
    assert (f.evidence.line, f.parameters["key_bits"]) == (3, 1024)


def test_openssl_keygen_bits_call_sets_key_size_of_the_context() -> None:
    code = """
    void f(void) {
      EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1536);
    }"""
    (f,) = findings(code, "c")
    assert (f.algorithm, f.parameters["key_bits"]) == ("RSA", 1536)


def test_jwt_sign_without_algorithm_reports_library_default() -> None:
    (f,) = findings("import jwt\ntoken = jwt.encode(payload, secret)\n", "python")
    assert f.algorithm == "HMAC-SHA256"
    assert f.confidence is Confidence.LOW
    assert "default" in f.parameters["library_default"]


def test_jsonwebtoken_sign_without_algorithm_option_reports_library_default() -> None:
    code = "const jwt = require('jsonwebtoken');\njwt.sign(p, s, { expiresIn: '1h' });\n"
    (f,) = findings(code, "javascript")
    assert (f.algorithm, f.confidence) == ("HMAC-SHA256", Confidence.LOW)
    assert "library_default" in f.parameters


def test_jwt_sign_with_algorithm_is_not_a_library_default() -> None:
    (f,) = findings('import jwt\njwt.encode(p, k, algorithm="RS256")\n', "python")
    assert (f.algorithm, f.usage, f.confidence) == ("RSA", Usage.SIGNATURE, Confidence.MEDIUM)
    assert "library_default" not in f.parameters


def test_usedforsecurity_false_is_recorded() -> None:
    (f,) = findings("import hashlib\nhashlib.new('sha1', b'x', usedforsecurity=False)\n", "python")
    assert (f.algorithm, f.parameters["usedforsecurity"]) == ("SHA-1", False)


def test_hand_rolled_modexp_is_reported_as_dh_but_modular_inverse_is_not() -> None:
    code = "P = 2**2048 - 1\nshared = pow(g, secret, P)\ninverse = pow(a, -1, m)\n"
    (f,) = findings(code, "python")
    assert (f.algorithm, f.usage, f.parameters["key_bits"]) == ("DH", Usage.KEY_EXCHANGE, 2048)


def test_import_alias_is_resolved() -> None:
    code = "import hashlib as h\nfrom cryptography.hazmat.primitives.asymmetric import rsa as r\nh.md5(b'')\nr.generate_private_key(65537, 4096)\n"
    assert summary(code, "python") == [(3, "MD5", "hashing"), (4, "RSA", "key-generation")]


def test_local_function_shadowing_a_library_name_is_not_a_finding() -> None:
    code = "def md5(x):\n    return x\nmd5(b'data')\nclass Key:\n    def generate(self): pass\n"
    assert findings(code, "python") == []


def test_name_in_dict_of_names_flows_into_factory() -> None:
    code = "import hashlib\nALGS = {'legacy': 'md5'}\nhashlib.new(ALGS['legacy'])\n"
    # the table row is a finding where it is written (code-findings.md §2), the call where it is used
    assert summary(code, "python") == [(2, "MD5", "unknown"), (3, "MD5", "hashing")]


def test_implementation_stored_in_a_table_is_a_low_confidence_finding() -> None:
    (f,) = findings("import hashlib\nTABLE = {'sha1': hashlib.sha1}\n", "python")
    assert (f.algorithm, f.confidence) == ("SHA-1", Confidence.LOW)


def test_embedded_pem_key_reports_its_real_algorithm_and_size() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    pem = rsa.generate_private_key(65537, 1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    java = "class K { static String KEY =\n" + " +\n".join(f'  "{line}\\n"' for line in pem.splitlines()) + "; }\n"
    (f,) = findings(java, "java")
    assert (f.evidence.line, f.algorithm, f.parameters["key_bits"], f.confidence) == (2, "RSA", 1024, Confidence.HIGH)


def test_each_finding_has_location_symbol_snippet_and_confidence() -> None:
    (f,) = findings("import hashlib\n\nx = hashlib.md5(b'')\n", "python", name="pkg/mod.py")
    assert f.asset_id == "file:pkg/mod.py"
    assert (f.evidence.location, f.evidence.line, f.evidence.column) == ("pkg/mod.py", 3, 5)
    assert f.evidence.symbol == "hashlib.md5"
    assert f.evidence.snippet == "x = hashlib.md5(b'')"
    assert f.confidence is Confidence.MEDIUM


def test_identical_calls_in_one_file_are_distinct_findings() -> None:
    fs = findings("import hashlib\nhashlib.md5(b'a')\nhashlib.md5(b'b')\n", "python")
    assert len({f.id for f in fs}) == 2


def test_source_file_asset_is_recorded() -> None:
    result = scan_source("x = 1\n", "a/b.py", "python")
    (asset,) = result.assets
    assert (asset.id, asset.kind.value, asset.attributes["language"]) == ("file:a/b.py", "source-file", "python")


# -- robustness ------------------------------------------------------------------------------

def _scan_dir(root: Path, **kw) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {r.target: r for r in scan_paths([root], CodeScanOptions(**kw))}


def test_syntax_error_is_recorded_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import hashlib\ndef f(:\n")
    (tmp_path / "good.py").write_text("import hashlib\nhashlib.md5()\n")
    results = _scan_dir(tmp_path)
    assert results["bad.py"].errors[0].kind is ErrorKind.PARSE_ERROR  # type: ignore[attr-defined]
    assert [f.algorithm for f in results["good.py"].findings] == ["MD5"]  # type: ignore[attr-defined]


def test_deeply_nested_code_is_recorded_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("import hashlib\nx = " + "[\n" * 5000 + "]\n" * 5000)
    (err,) = _scan_dir(tmp_path)["deep.py"].errors  # type: ignore[attr-defined]
    assert err.kind is ErrorKind.PARSE_ERROR


def test_deeply_nested_c_code_is_scanned_without_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.c").write_text("int x = " + "(\n" * 20000 + "1" + ")\n" * 20000 + ";\nvoid f(){ EVP_md5(); }\n")
    result = _scan_dir(tmp_path)["deep.c"]
    assert [f.algorithm for f in result.findings] == ["MD5"]  # type: ignore[attr-defined]


def test_file_naming_no_crypto_api_is_not_parsed_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("def f(:\n")
    (result,) = list(scan_paths([tmp_path]))
    assert not result.errors and result.assets[0].attributes["parsed"] is False
    (result,) = list(scan_paths([tmp_path], CodeScanOptions(parse_all=True)))
    assert result.errors[0].kind is ErrorKind.PARSE_ERROR


def test_bad_encoding_is_recorded(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9\xff'\n")
    (err,) = _scan_dir(tmp_path)["latin.py"].errors  # type: ignore[attr-defined]
    assert err.kind is ErrorKind.PARSE_ERROR


def test_binary_file_with_source_suffix_is_skipped_with_reason(tmp_path: Path) -> None:
    (tmp_path / "blob.c").write_bytes(b"\x7fELF\0\0\0binary")
    (err,) = _scan_dir(tmp_path)["blob.c"].errors  # type: ignore[attr-defined]
    assert err.kind is ErrorKind.BINARY


@pytest.mark.parametrize("relpath,content,option", [
    ("vendor/lib/x.go", "package x\n", "skip_vendored"),
    ("node_modules/m/index.js", "var a;\n", "skip_vendored"),
    ("gen/b.go", "// Code generated by stringer; DO NOT EDIT.\npackage gen\n", "skip_generated"),
    ("proto/c_pb2.py", "# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\nx = 1\n",
     "skip_generated"),
    ("src/lib.rs", "// @generated by build.rs\nfn f() {}\n", "skip_generated"),
    ("static/app.min.js", "var a=1;\n", "skip_minified"),
    ("static/bundle.js", "var a=1;" * 2000 + "\n", "skip_minified"),
])
def test_vendored_generated_and_minified_files_are_skipped_with_a_reason(
        tmp_path: Path, relpath: str, content: str, option: str) -> None:
    target = tmp_path / relpath
    target.parent.mkdir(parents=True)
    target.write_text(content)
    walk = WalkOptions(default_excludes=False)
    (skipped,) = list(scan_paths([tmp_path], CodeScanOptions(walk=walk)))
    assert skipped.errors[0].kind is ErrorKind.SKIPPED and not skipped.findings
    (scanned,) = list(scan_paths([tmp_path], CodeScanOptions(walk=walk, **{option: False})))
    assert not scanned.errors


@pytest.mark.parametrize("relpath,content", [
    ("api/a.pb.go", "package api\n"),  # a generated-looking name is not a marker
    ("deps/crypto.py", "x = 1\n"),  # a folder called deps/ is not a vendor tree
    ("external/x.go", "package x\n"),
    ("doc/notes.py", "x = 1\n\n# This file is not @generatedby anything; the word generated in a comment\n"),
    ("late.go", "package late\n" + "\n" * 40 + "// Code generated by nobody; DO NOT EDIT.\n"),  # not near the top
])
def test_first_party_files_without_a_real_marker_are_scanned(tmp_path: Path, relpath: str, content: str) -> None:
    target = tmp_path / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    (scanned,) = list(scan_paths([tmp_path], CodeScanOptions(walk=WalkOptions(default_excludes=False))))
    assert not scanned.errors and scanned.target == relpath


def test_a_vendor_tree_is_one_recorded_skip_not_one_per_file(tmp_path: Path) -> None:
    for name in ("a.go", "b.go", "sub/c.go"):
        (tmp_path / "vendor" / "lib" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "vendor" / "lib" / name).write_text("package x\n")
    (result,) = list(scan_paths([tmp_path], CodeScanOptions()))
    assert result.target == "vendor" and result.errors[0].kind is ErrorKind.SKIPPED
    assert "vendor/" in result.errors[0].message


def test_file_over_the_size_limit_is_skipped_with_reason(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * 1000)
    (result,) = list(scan_paths([tmp_path], CodeScanOptions(walk=WalkOptions(max_bytes=100))))
    assert result.errors[0].kind is ErrorKind.TOO_LARGE


def test_languages_option_limits_the_scan(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import hashlib\nhashlib.md5()\n")
    (tmp_path / "b.go").write_text('package b\nimport "crypto/md5"\nvar h = md5.New()\n')
    results = list(scan_paths([tmp_path], CodeScanOptions(languages=frozenset({"go"}))))
    assert [r.target for r in results] == ["b.go"]


def test_non_source_files_produce_no_result(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hashlib.md5()")
    assert list(scan_paths([tmp_path])) == []


# -- command line ----------------------------------------------------------------------------

def test_code_command_writes_json_inventory(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import hashlib\nhashlib.md5()\n")
    out = tmp_path / "inv.json"
    res = CliRunner().invoke(cli, ["code", str(tmp_path), "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert [f["algorithm"] for f in doc["findings"]] == ["MD5"]
    assert doc["findings"][0]["evidence"]["location"] == "a.py"


def test_code_command_table_lists_findings(tmp_path: Path) -> None:
    (tmp_path / "a.go").write_text('package a\nimport "crypto/des"\nvar c, _ = des.NewTripleDESCipher(k)\n')
    res = CliRunner().invoke(cli, ["code", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "3DES" in res.output and "a.go:3" in res.output


def test_code_command_on_a_missing_path_is_no_such_file_or_directory(tmp_path: Path) -> None:
    """Issue #17: a path that does not exist is an input error (exit 2 via pqscan.cli.main), not a recorded one."""
    from pqscan.errors import InputError

    res = CliRunner().invoke(cli, ["code", str(tmp_path / "nope"), "--format", "json"])
    assert isinstance(res.exception, InputError) and "no such file or directory" in str(res.exception)


def test_type_annotations_are_not_findings() -> None:
    code = """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    def f(pad: padding.PSS | None = None) -> hashes.MD5:
        algorithm: hashes.SHA1 | None = None
        return algorithm
    """
    assert findings(code, "python") == []


def test_module_named_before_its_function_is_one_finding() -> None:
    code = "from Crypto.Hash import SHA1\nh = SHA1.new(b'data')\n"
    assert summary(code, "python") == [(2, "SHA-1", "hashing")]


def test_curve_that_is_not_visible_is_reported_as_unknown_with_reason() -> None:
    (f,) = findings('class A { void f() { Signature s = Signature.getInstance("SHA256withECDSA"); } }', "java")
    assert (f.algorithm, f.parameters["unknown_reason"]) == ("ECDSA", "curve not visible at this call")


def test_curve_set_by_a_later_call_clears_the_unknown_reason() -> None:
    code = """
    class A { void f() throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp521r1"));
    } }"""
    (f,) = [f for f in findings(code, "java") if f.evidence.line == 3]  # line 4 names the curve itself
    assert f.algorithm == "ECDSA-P521" and "unknown_reason" not in f.parameters


def test_pem_placeholder_in_documentation_is_neither_finding_nor_error() -> None:
    code = '/**\n * -----BEGIN CERTIFICATE-----\n * ... base64 ...\n * -----END CERTIFICATE-----\n */\nclass C {}\n'
    result = scan_source(code, "C.java", "java")
    assert not result.findings and not result.errors


def test_code_command_parse_all_reports_syntax_errors_of_crypto_free_files(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("def f(:\n")
    res = CliRunner().invoke(cli, ["code", str(tmp_path), "--format", "json", "--parse-all"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["errors"][0]["kind"] == "parse-error"


def test_terminal_control_characters_in_a_source_line_are_shown_not_obeyed() -> None:
    from pqscan.collect.code import scan_source

    result = scan_source('import hashlib\nh = hashlib.md5("\x1b[2J\u202e".encode())\n', "evil.py", "python")
    assert result.findings
    for f in result.findings:
        assert "\x1b" not in f.evidence.snippet and "\u202e" not in f.evidence.snippet
