"""The wheel ships the one copy of the profiles (top-level profiles/) and loads every one of them.

Built from this checkout with pip (no build isolation, no network), installed into a fresh venv
without its dependencies; the dependencies come from the test environment's site-packages on
PYTHONPATH, which holds no pqscan of its own (the editable install is a path hook, not a folder).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def _run(*cmd: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=300, check=False, **kw)  # type: ignore[call-overload]


def test_the_wheel_holds_the_profiles_and_an_installed_pqscan_loads_every_one(tmp_path: Path) -> None:
    try:
        import setuptools
    except ImportError as exc:
        pytest.skip(f"building a wheel without network needs setuptools installed: {exc}")
    if tuple(int(x) for x in setuptools.__version__.split(".")[:2]) < (70, 1):
        pytest.skip(f"setuptools {setuptools.__version__} needs the separate 'wheel' package to build wheels")
    source = tmp_path / "source"  # setuptools writes build/ into the tree it builds: not into the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                                "__pycache__", "tests", "benchmarks", ".hypothesis"))
    build = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                 "-w", str(tmp_path / "dist"), str(source))
    assert build.returncode == 0, build.stderr[-2000:]
    (whl,) = (tmp_path / "dist").glob("pqscan-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    shipped = sorted(n.rsplit("/", 1)[1][:-5] for n in names if n.startswith("pqscan/profiles/") and n.endswith(".toml"))
    in_repo = sorted(p.stem for p in (REPO / "profiles").glob("*.toml"))
    assert shipped == in_repo and len(in_repo) >= 10
    assert not (REPO / "pqscan" / "profiles").exists()  # the one copy

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    target = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    install = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", target, str(whl))
    assert install.returncode == 0, install.stderr[-2000:]
    probe = ("import json, pqscan; from pqscan.assess.profiles import builtin_names, load_profile;"
             "print(json.dumps({'file': pqscan.__file__,"
             " 'loaded': {n: load_profile(n).id for n in builtin_names()}}))")
    deps = sysconfig.get_paths()["purelib"]
    run = _run(str(python), "-c", probe, cwd=tmp_path, env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout)
    assert out["file"].startswith(str(env_dir))  # the installed wheel, not this checkout
    assert sorted(out["loaded"]) == in_repo and all(out["loaded"][n] == n for n in in_repo)
    # The store's Alembic migrations ship too: an installed pqscan creates a store at the newest schema.
    store = ("from pqscan.store import open_store; s = open_store('sqlite:///" + str(tmp_path / "e.db") + "');"
             "print(s.schema_revision())")
    created = _run(str(python), "-c", store, cwd=tmp_path, env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin"})
    assert created.returncode == 0, created.stderr[-2000:]
    from pqscan.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'here.db'}") as here:  # this checkout's newest schema
        assert created.stdout.strip() == here.schema_revision()
