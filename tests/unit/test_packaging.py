"""pyproject.toml lists every package (one lives outside pqscan/: the profiles)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_package_in_the_tree_is_listed_and_the_profiles_are_mapped_to_the_top_level_folder() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    in_tree = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "pqscan").rglob("__init__.py")}
    assert set(config["packages"]) == in_tree | {"pqscan.profiles"}
    assert config["package-dir"] == {"pqscan.profiles": "profiles"}
    assert (REPO / "profiles" / "__init__.py").is_file() and not (REPO / "pqscan" / "profiles").exists()
