"""Policy profiles: every shipped profile loads; a malformed one gives one error naming file and key."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pqscan.assess.profiles import (
    DEFAULT_PROFILE,
    Category,
    ComplianceStatus,
    builtin_names,
    list_profiles,
    load_profile,
    load_profiles,
)
from pqscan.errors import ProfileError

REQUIRED = ["nist-ir-8547", "cnsa-2.0", "eu-pqc-roadmap", "uk-ncsc", "japan", "australia-ism", "canada", "bsi"]

MINIMAL = """
[profile]
id = "mine"
name = "Mine"
sources = ["my security team"]

[signature]
default = "disallowed"

[[signature.rule]]
algorithms = ["ML-DSA-87"]
"""


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", REQUIRED + ["anssi", "us-federal-eo-2026"])
def test_shipped_profile_loads_and_names_its_sources(name: str) -> None:
    profile = load_profile(name)
    assert profile.id == name
    assert profile.sources and all(s.strip() for s in profile.sources)
    assert profile.builtin


@pytest.mark.parametrize("name", REQUIRED + ["anssi", "us-federal-eo-2026"])
def test_shipped_profile_covers_key_establishment_and_signatures(name: str) -> None:
    profile = load_profile(name)
    assert profile.policy_for(Category.KEY_ESTABLISHMENT) is not None
    assert profile.policy_for(Category.SIGNATURE) is not None
    assert profile.policy_for(Category.CODE_SIGNING) is not None


@pytest.mark.parametrize("name", REQUIRED + ["anssi", "us-federal-eo-2026"])
def test_shipped_profile_with_secondary_or_uncertain_facts_says_so(name: str) -> None:
    profile = load_profile(name)
    if "S" in profile.confidence or "U" in profile.confidence:
        assert profile.uncertain, f"{name} has confidence {profile.confidence} but lists no uncertainty"


def test_list_profiles_returns_every_shipped_profile() -> None:
    ids = [p.id for p in list_profiles()]
    assert set(REQUIRED) <= set(ids)
    assert ids == builtin_names()


def test_profile_names_are_case_insensitive() -> None:
    assert load_profile("CNSA-2.0").id == "cnsa-2.0"


def test_load_profiles_defaults_to_nist_when_none_given() -> None:
    assert [p.id for p in load_profiles([])] == [DEFAULT_PROFILE] == ["nist-ir-8547"]


def test_load_profiles_drops_duplicates_and_keeps_order() -> None:
    assert [p.id for p in load_profiles(["bsi", "nist-ir-8547", "bsi"])] == ["bsi", "nist-ir-8547"]


def test_user_profile_file_is_accepted_by_path(tmp_path: Path) -> None:
    profile = load_profile(str(write(tmp_path, MINIMAL)))
    assert profile.id == "mine" and not profile.builtin
    assert profile.policy_for(Category.SIGNATURE).default is ComplianceStatus.DISALLOWED


def test_user_profile_can_extend_a_shipped_one(tmp_path: Path) -> None:
    text = MINIMAL.replace('sources = ["my security team"]', 'sources = ["x"]\nextends = "nist-ir-8547"')
    profile = load_profile(str(write(tmp_path, text)))
    assert profile.policy_for(Category.HASH) == load_profile("nist-ir-8547").policy_for(Category.HASH)
    assert profile.policy_for(Category.SIGNATURE).default is ComplianceStatus.DISALLOWED


def test_year_is_accepted_as_the_end_of_that_year(tmp_path: Path) -> None:
    text = MINIMAL + "disallowed_after = 2035\n"
    rule = load_profile(str(write(tmp_path, text))).policy_for(Category.SIGNATURE).rules[0]
    assert rule.disallowed_after == datetime.date(2035, 12, 31)


def test_unknown_profile_name_lists_the_available_ones() -> None:
    with pytest.raises(ProfileError, match=r"unknown profile 'nope'.*nist-ir-8547"):
        load_profile("nope")


def test_missing_profile_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(str(tmp_path / "absent.toml"))


def _error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path))
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


def test_profile_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    assert "not valid TOML" in _error(tmp_path, "[profile\nid = 'x'")


def test_unknown_key_in_a_rule_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL + "colour = 'red'\n")
    assert "key 'signature.rule[1].colour': unknown key" in message


def test_unknown_key_in_profile_table_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL.replace('name = "Mine"', 'name = "Mine"\nauthor = "me"'))
    assert "key 'profile.author': unknown key" in message


def test_unknown_category_table_is_named(tmp_path: Path) -> None:
    assert "key 'signatures': unknown table" in _error(tmp_path, MINIMAL + "\n[signatures]\ndefault = 'unknown'\n")


def test_bad_date_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL + 'deprecated_after = "2030-13-01"\n')
    assert "key 'signature.rule[1].deprecated_after': bad date '2030-13-01'" in message


def test_deprecated_after_later_than_disallowed_after_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL + "deprecated_after = 2036-12-31\ndisallowed_after = 2035-12-31\n")
    assert "signature.rule[1].deprecated_after" in message


def test_unknown_algorithm_id_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL.replace('"ML-DSA-87"', '"ML-DSA-99"'))
    assert "key 'signature.rule[1].algorithms': unknown algorithm id 'ML-DSA-99'" in message


def test_wrong_type_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL.replace('algorithms = ["ML-DSA-87"]', 'algorithms = "ML-DSA-87"'))
    assert "key 'signature.rule[1].algorithms': must be a list of strings, not str" in message


def test_wrong_status_value_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL + 'status = "forbidden"\n')
    assert "key 'signature.rule[1].status': must be one of compliant, deprecated, disallowed" in message


def test_integer_matcher_of_wrong_type_is_named(tmp_path: Path) -> None:
    assert "key 'signature.rule[1].min_bits': must be a non-negative integer" in _error(tmp_path, MINIMAL + 'min_bits = "128"\n')


def test_missing_sources_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, MINIMAL.replace('sources = ["my security team"]\n', ""))
    assert "key 'profile.sources': at least one source is required" in message


def test_missing_profile_table_is_refused(tmp_path: Path) -> None:
    assert "missing [profile] table" in _error(tmp_path, "[signature]\ndefault = 'unknown'\n")


def test_circular_extends_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('name = "Mine"', f'name = "Mine"\nextends = "{tmp_path / "mine.toml"}"')
    assert "key 'profile.extends'" in _error(tmp_path, text)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ProfileError, match="bin.toml"):
        load_profile(str(path))
