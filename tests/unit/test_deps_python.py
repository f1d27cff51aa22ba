"""PyPI manifests and locks: requirements, pyproject (PEP 621 / Poetry), Pipfile.lock, poetry.lock, uv.lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from pqscan.collect.deps import python
from pqscan.collect.deps.manifest import ManifestError

DATA = Path(__file__).parent.parent / "data" / "deps"


def _by_name(deps):
    return {d.name: d for d in deps}


def test_requirements_pinned_version_is_exact_and_hash_continuation_is_ignored():
    deps = _by_name(python.parse_requirements((DATA / "python/requirements.txt").read_text(), "requirements.txt"))
    assert deps["cryptography"].version == "42.0.5"
    assert deps["cryptography"].line == 2


def test_requirements_range_has_no_exact_version_but_keeps_the_spec():
    deps = _by_name(python.parse_requirements((DATA / "python/requirements.txt").read_text(), "requirements.txt"))
    assert deps["requests"].version is None
    assert deps["requests"].spec == "<3,>=2.31"


def test_requirements_options_and_includes_are_not_packages():
    deps = python.parse_requirements((DATA / "python/requirements.txt").read_text(), "requirements.txt")
    assert [d.name for d in deps] == ["cryptography", "PyJWT", "requests", "paramiko"]


def test_requirements_file_named_dev_marks_dependencies_as_dev():
    deps = python.parse_requirements("pytest==8.1.1\n", "requirements-dev.txt")
    assert deps[0].dev is True


def test_pyproject_pep621_dependencies_optional_and_groups():
    deps = _by_name(python.parse_pyproject((DATA / "python/pyproject.toml").read_text(), "pyproject.toml"))
    assert deps["cryptography"].spec == ">=48.0" and not deps["cryptography"].dev
    assert deps["liboqs-python"].version == "0.10.0"
    assert deps["pytest"].dev and deps["ruff"].dev


def test_pyproject_poetry_caret_is_a_range_and_bare_version_is_exact():
    deps = _by_name(python.parse_pyproject((DATA / "poetry/pyproject.toml").read_text(), "pyproject.toml"))
    assert deps["cryptography"].version is None and deps["cryptography"].spec == "^41.0.7"
    assert deps["python-jose"].version == "3.3.0"
    assert "python" not in deps


def test_poetry_lock_gives_exact_versions():
    deps = _by_name(python.parse_poetry_lock((DATA / "poetry/poetry.lock").read_text(), "poetry.lock"))
    assert deps["cryptography"].version == "41.0.7" and deps["cryptography"].from_lock


def test_uv_lock_skips_the_editable_project_itself():
    deps = _by_name(python.parse_uv_lock((DATA / "uv/uv.lock").read_text(), "uv.lock"))
    assert set(deps) == {"cryptography", "cffi"}
    assert deps["cryptography"].version == "48.0.1"


def test_pipfile_lock_reads_default_and_develop_sections():
    deps = _by_name(python.parse_pipfile_lock((DATA / "pipenv/Pipfile.lock").read_text(), "Pipfile.lock"))
    assert deps["pycryptodome"].version == "3.20.0" and not deps["pycryptodome"].dev
    assert deps["pytest"].dev


def test_malformed_pyproject_raises_manifest_error():
    with pytest.raises(ManifestError):
        python.parse_pyproject("[project\nname = 1", "pyproject.toml")


def test_pipfile_star_is_unpinned_and_double_equals_is_exact():
    deps = _by_name(python.parse_pipfile((DATA / "pipenv/Pipfile").read_text(), "Pipfile"))
    assert deps["pycryptodome"].version == "3.20.0"
    assert deps["requests"].version is None and deps["requests"].spec == ""
    assert deps["pytest"].dev
