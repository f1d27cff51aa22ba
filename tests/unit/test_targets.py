"""Target specs -> endpoints (pqscan.collect.net.targets). Pure: no traffic, no DNS."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqscan.collect.net.targets import MAX_CIDR_ADDRESSES, Endpoint, iter_targets, parse_ports, parse_targets
from pqscan.errors import TargetSpecError


@pytest.fixture(autouse=True)
def _no_loopback_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    # Parsing sends nothing; the guard is tested on its own below.
    monkeypatch.delenv("PQSCAN_TEST_LOOPBACK_ONLY", raising=False)


def one(spec: str, **kw: object) -> Endpoint:
    (ep,) = parse_targets([spec], **kw)  # type: ignore[arg-type]
    return ep


def test_bare_host_gets_the_default_port_and_its_own_name_as_sni() -> None:
    ep = one("Example.COM")
    assert (ep.host, ep.port, ep.sni, ep.key) == ("example.com", 443, "example.com", "tls://example.com:443")


def test_host_with_port() -> None:
    assert one("example.com:8443").port == 8443


def test_ipv4_literal_sends_no_sni() -> None:
    ep = one("192.0.2.7")
    assert (ep.host, ep.sni) == ("192.0.2.7", None)


def test_bracketed_ipv6_with_port() -> None:
    ep = one("[2001:db8::1]:8443")
    assert (ep.host, ep.port, ep.key) == ("2001:db8::1", 8443, "tls://[2001:db8::1]:8443")


def test_bare_ipv6_literal_uses_the_default_port() -> None:
    assert one("2001:db8::1").port == 443


@pytest.mark.parametrize(
    ("url", "port", "starttls"),
    [
        ("https://example.com/path?q=1", 443, None),
        ("smtps://mail.example.com", 465, None),
        ("imaps://mail.example.com", 993, None),
        ("pop3s://mail.example.com", 995, None),
        ("ldaps://dir.example.com", 636, None),
        ("ftps://ftp.example.com", 990, None),
        ("smtp://mail.example.com", 25, "smtp"),
        ("submission://mail.example.com", 587, "smtp"),
        ("imap://mail.example.com", 143, "imap"),
        ("pop3://mail.example.com", 110, "pop3"),
        ("ftp://ftp.example.com", 21, "ftp"),
        ("ldap://dir.example.com", 389, "ldap"),
        ("postgres://db.example.com", 5432, "postgres"),
        ("xmpp://chat.example.com", 5222, "xmpp"),
        ("ssh://host.example.com", 22, None),
    ],
)
def test_url_scheme_gives_default_port_and_starttls(url: str, port: int, starttls: str | None) -> None:
    ep = one(url)
    assert (ep.port, ep.starttls) == (port, starttls)


def test_url_with_explicit_port_keeps_the_scheme_protocol() -> None:
    ep = one("smtp://mail.example.com:2525")
    assert (ep.port, ep.starttls) == (2525, "smtp")


def test_starttls_auto_uses_the_well_known_port() -> None:
    assert one("mail.example.com:587").starttls == "smtp"
    assert one("mail.example.com:443").starttls is None


def test_starttls_can_be_forced_or_disabled() -> None:
    assert one("mail.example.com:2525", starttls="smtp").starttls == "smtp"
    assert one("mail.example.com:25", starttls=None).starttls is None


def test_ipv4_cidr_expands_to_its_hosts() -> None:
    eps = parse_targets(["192.0.2.0/30"])
    assert [e.host for e in eps] == ["192.0.2.1", "192.0.2.2"]


def test_ipv6_cidr_expands() -> None:
    eps = parse_targets(["2001:db8::/126"])
    assert len(eps) == 3 and all(e.port == 443 for e in eps)


def test_cidr_with_port() -> None:
    eps = parse_targets(["192.0.2.0/31:8443"])
    assert {e.port for e in eps} == {8443} and len(eps) == 2


def test_cidr_above_the_cap_is_refused_naming_the_spec() -> None:
    with pytest.raises(TargetSpecError, match=r"10\.0\.0\.0/16.*--allow-large"):
        parse_targets(["10.0.0.0/16"])


def test_cidr_cap_counts_all_ranges_together() -> None:
    with pytest.raises(TargetSpecError, match="cap"):
        parse_targets(["10.0.0.0/21", "10.1.0.0/21", "10.2.0.0/30"])  # 2048 + 2048 + 4 > 4096
    assert MAX_CIDR_ADDRESSES == 4096


def test_allow_large_lifts_the_cap() -> None:
    assert len(parse_targets(["10.0.0.0/19"], allow_large=True)) == 8190


def test_port_list_applies_to_specs_without_a_port() -> None:
    eps = parse_targets(["a.example", "b.example:9443"], ports=parse_ports("443,8443"))
    assert [e.key for e in eps] == ["tls://a.example:443", "tls://a.example:8443", "tls://b.example:9443"]


def test_port_ranges_parse() -> None:
    assert parse_ports("443, 9000-9002") == (443, 9000, 9001, 9002)


@pytest.mark.parametrize("bad", ["0", "65536", "http", "9-1", ""])
def test_bad_port_list_is_refused(bad: str) -> None:
    with pytest.raises(TargetSpecError):
        parse_ports(bad)


def test_sni_override_applies_to_every_endpoint() -> None:
    eps = parse_targets(["192.0.2.1", "a.example"], sni="front.example")
    assert {e.sni for e in eps} == {"front.example"}


def test_duplicates_are_scanned_once() -> None:
    assert len(parse_targets(["a.example", "a.example:443", "https://a.example"])) == 1


def test_target_file_with_comments_and_nesting(tmp_path: Path) -> None:
    (tmp_path / "more.txt").write_text("c.example:8443\n")
    f = tmp_path / "targets.txt"
    f.write_text("# fleet\na.example   # web\n\n  b.example:465\n@more.txt\n")
    eps = parse_targets([f"@{f}"])
    assert [e.key for e in eps] == ["tls://a.example:443", "tls://b.example:465", "tls://c.example:8443"]


def test_bad_spec_in_a_file_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "targets.txt"
    f.write_text("a.example\nnot a host!\n")
    with pytest.raises(TargetSpecError, match=r"targets\.txt:2"):
        parse_targets([f"@{f}"])


def test_missing_target_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TargetSpecError, match="nope.txt"):
        parse_targets([f"@{tmp_path / 'nope.txt'}"])


@pytest.mark.parametrize(
    "bad",
    ["exa mple.com", "host:99999", "host:", "[2001:db8::1", "[zz::1]:443", "gopher://x.example", "https://",
     "300.1.2.3", "192.0.2.0/33", "-leading.example"],
)
def test_bad_specs_raise_naming_the_spec(bad: str) -> None:
    with pytest.raises(TargetSpecError) as info:
        parse_targets([bad])
    assert repr(bad) in str(info.value) or bad in str(info.value)


def test_no_targets_is_an_error() -> None:
    with pytest.raises(TargetSpecError, match="no targets"):
        parse_targets([])


def test_loopback_guard_refuses_other_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PQSCAN_TEST_LOOPBACK_ONLY", "1")
    for spec in ("example.com", "192.0.2.1", "10.0.0.0/30", "[2001:db8::1]:443", "https://example.com"):
        with pytest.raises(TargetSpecError, match="PQSCAN_TEST_LOOPBACK_ONLY"):
            parse_targets([spec])


def test_loopback_guard_allows_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PQSCAN_TEST_LOOPBACK_ONLY", "1")
    eps = parse_targets(["127.0.0.1:8443", "localhost", "[::1]:443", "127.0.5.0/30"])
    assert len(eps) == 5


def test_forced_starttls_protocol_names_the_service_not_the_port() -> None:
    (ep,) = parse_targets(["127.0.0.1:3389"], starttls="ldap")
    assert (ep.service, ep.starttls) == ("ldap", "ldap")


def test_target_file_is_streamed_first_endpoint_before_a_late_bad_line(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("".join(f"127.0.0.1:{1 + i % 65000}\n" for i in range(70_000)) + "not a host!\n")
    stream = iter_targets([f"@{f}"])
    assert next(stream).key == "tls://127.0.0.1:1"  # yielded before the bad last line is read
    with pytest.raises(TargetSpecError, match=r"big.txt:70001"):
        list(stream)


def test_streamed_targets_skip_bad_lines_through_the_error_callback_and_drop_duplicates(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("127.0.0.1:1\n127.0.0.1:99999\n127.0.0.1:1\n127.0.0.1:2\n")
    errors: list[TargetSpecError] = []
    eps = list(iter_targets([f"@{f}"], on_error=errors.append))
    assert [e.port for e in eps] == [1, 2]
    assert len(errors) == 1 and "t.txt:2" in str(errors[0])


def test_large_cidr_is_expanded_lazily() -> None:
    stream = iter_targets(["127.0.0.0/12"], allow_large=True)  # 2^20 addresses
    assert [next(stream).host for _ in range(3)] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
