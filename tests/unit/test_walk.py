"""The shared tree walker: .gitignore rules, --exclude, symlinks and size limits, on real files."""

from __future__ import annotations

import os
from pathlib import Path

from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, iter_files
from pqscan.model import ErrorKind


def _tree(root: Path) -> None:
    for rel in ("a.py", "debug.log", "keep.log", "build/out.py", "src/x.py", "src/gen/y.py", "src/sub/z.pem",
                "docs/deep/b.py"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (root / ".gitignore").write_text("# comment\n*.log\n!keep.log\nbuild/\n/docs/deep\n")
    (root / "src" / ".gitignore").write_text("gen/\n")


def _walk(root: Path, **kw: object) -> tuple[set[str], list[Skipped]]:
    found, skipped = set(), []
    for item in iter_files([root], WalkOptions(**kw)):  # type: ignore[arg-type]
        if isinstance(item, FileEntry):
            found.add(item.relpath)
        else:
            skipped.append(item)
    return found, skipped


def test_gitignore_rules_negation_directories_and_nested_files_are_honoured(tmp_path: Path) -> None:
    _tree(tmp_path)
    found, _ = _walk(tmp_path)
    # The .gitignore files are read by the walk itself (once) and not handed on as content.
    assert found == {"a.py", "keep.log", "src/x.py", "src/sub/z.pem"}


def test_user_excludes_apply_on_top_and_gitignore_can_be_switched_off(tmp_path: Path) -> None:
    _tree(tmp_path)
    found, _ = _walk(tmp_path, excludes=("src/sub/",), use_gitignore=False)
    assert "src/sub/z.pem" not in found
    assert {"debug.log", "build/out.py", "src/gen/y.py", "docs/deep/b.py"} <= found


def test_a_symlink_loop_is_not_followed_and_oversized_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    os.symlink(tmp_path, tmp_path / "d" / "loop")
    (tmp_path / "big.bin").write_bytes(b"x" * 2048)
    (tmp_path / "small.txt").write_text("ok")
    found, skipped = _walk(tmp_path, max_bytes=1024)
    assert found == {"small.txt"}
    reasons = {(s.path.name, s.kind) for s in skipped}
    assert ("loop", ErrorKind.SKIPPED) in reasons and ("big.bin", ErrorKind.TOO_LARGE) in reasons
