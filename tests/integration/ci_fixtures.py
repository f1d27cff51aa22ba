"""A real git repository in a temporary directory, and a way to run ``pqscan ci`` as users do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

GIT_ENV = {"GIT_AUTHOR_NAME": "pqscan test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "pqscan test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

WEAK_RSA = """from cryptography.hazmat.primitives.asymmetric import rsa


def make_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)
"""
WEAK_MD5 = """import hashlib


def digest(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
"""


def requires_git() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


@dataclass
class Repo:
    path: Path

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True, timeout=30,
                              env={**os.environ, **GIT_ENV}, check=True)
        return proc.stdout

    def write(self, rel: str, text: str) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


def make_repo(tmp_path: Path) -> Repo:
    requires_git()
    repo = Repo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    return repo


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def pqscan_ci(cwd: Path, *args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "pqscan", "ci", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **GIT_ENV})
    return Run(proc.returncode, proc.stdout, proc.stderr)
