"""Find liboqs *before* importing liboqs-python, and import it without side effects.

liboqs-python (0.16) misbehaves when the C library is missing: on ``import oqs`` it logs to
**stdout**, and when no ``liboqs`` shared library loads it counts down 5 s, runs ``git clone`` +
``cmake`` to build liboqs into ``$OQS_INSTALL_PATH`` (default ``~/_oqs``) and then raises
``SystemExit(1)``, not ImportError. pqscan must never trigger that, so :func:`locate_liboqs`
repeats liboqs-python's own search (``oqs/oqs.py``: ``_load_liboqs`` / ``_load_shared_obj``)
without side effects, and :func:`load_oqs` imports ``oqs`` only when that search found a library
that loads, with stdout captured and ``SystemExit`` caught.

liboqs-python's search, in its order:
1. ``ctypes.util.find_library("liboqs")``, then ``ctypes.util.find_library("oqs")`` (the system
   loader path, ``ldconfig`` cache, ``LD_LIBRARY_PATH``);
2. ``$OQS_INSTALL_PATH/lib/liboqs.so`` then ``$OQS_INSTALL_PATH/lib64/liboqs.so``, with
   ``OQS_INSTALL_PATH`` defaulting to ``~/_oqs`` (``.dylib`` on macOS, ``bin/oqs.dll`` /
   ``bin/liboqs.dll`` on Windows).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib.util
import io
import logging
import os
import platform
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

INSTALL_HINT = (
    "the liboqs backend is skipped; the OpenSSL and classical backends still run. To add liboqs: build it as a "
    "shared library (git clone --depth 1 --branch 0.16.0 https://github.com/open-quantum-safe/liboqs; cmake -S liboqs -B build "
    "-DBUILD_SHARED_LIBS=ON -DCMAKE_INSTALL_PREFIX=$HOME/_oqs; cmake --build build --target install), "
    "`pip install 'pqscan[oqs]'` (liboqs-python), and set OQS_INSTALL_PATH to the install prefix "
    "(or put its lib/ directory on LD_LIBRARY_PATH)."
)


@dataclass(frozen=True)
class OqsStatus:
    available: bool
    reason: str  # why not, or where the library was found
    library_path: str | None = None
    liboqs_version: str | None = None
    liboqs_python_version: str | None = None
    searched: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _install_dir(env: Mapping[str, str]) -> Path:
    if "OQS_INSTALL_PATH" in env:
        return Path(env["OQS_INSTALL_PATH"])
    return Path.home() / "_oqs"


def candidate_paths(env: Mapping[str, str] | None = None) -> list[str]:
    """Every path liboqs-python 0.16 would try, in its order."""
    env = os.environ if env is None else env
    paths: list[str] = []
    for name in ("liboqs", "oqs"):
        try:
            found = ctypes.util.find_library(name)
        except Exception:  # find_library runs helper programs; any failure means "not found"
            found = None
        if found:
            paths.append(found)
    base = _install_dir(env)
    system = platform.system()
    if system == "Darwin":
        paths += [str(base / "lib" / "liboqs.dylib"), str(base / "lib64" / "liboqs.dylib")]
    elif system == "Windows":
        paths += [str(base / "bin" / "oqs.dll"), str(base / "bin" / "liboqs.dll")]
    else:
        paths += [str(base / "lib" / "liboqs.so"), str(base / "lib64" / "liboqs.so")]
    return paths


def locate_liboqs(env: Mapping[str, str] | None = None) -> tuple[str | None, tuple[str, ...]]:
    """The first candidate that really loads (as liboqs-python would load it), and all searched."""
    searched = tuple(candidate_paths(env))
    for path in searched:
        try:
            ctypes.CDLL(path)
        except OSError:
            continue
        return path, searched
    return None, searched


_lock = threading.Lock()
_cached: tuple[ModuleType | None, OqsStatus] | None = None


def load_oqs(*, refresh: bool = False) -> tuple[ModuleType | None, OqsStatus]:
    """The ``oqs`` module and its status; never prints, never clones, never exits the process."""
    global _cached
    with _lock:
        if _cached is None or refresh:
            _cached = _load()
        return _cached


def _load() -> tuple[ModuleType | None, OqsStatus]:
    if importlib.util.find_spec("oqs") is None:
        return None, OqsStatus(False, "liboqs-python is not installed: " + INSTALL_HINT)
    library, searched = locate_liboqs()
    if library is None:
        return None, OqsStatus(
            False, "liboqs is not installed (no shared library found; searched: " + ", ".join(searched) + "): "
            + INSTALL_HINT,
            searched=searched,
        )
    captured = io.StringIO()
    # liboqs-python logs on import through its own stdout handler; keep those lines away from the
    # root logger too while importing (they are kept in ``captured`` and logged at debug level).
    oqs_logger = logging.getLogger("oqs.oqs")
    oqs_logger.propagate = False
    try:
        with contextlib.redirect_stdout(captured), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import oqs
    except SystemExit as exc:  # liboqs-python's "could not install liboqs"
        return None, OqsStatus(False, f"liboqs-python refused to load liboqs ({exc}): " + INSTALL_HINT,
                               library_path=library, searched=searched)
    except Exception as exc:
        return None, OqsStatus(False, f"importing liboqs-python failed: {type(exc).__name__}: {exc}",
                               library_path=library, searched=searched)
    finally:
        _silence_oqs_logger(captured)
    try:
        liboqs_version = str(oqs.oqs_version())
        python_version = oqs.oqs_python_version()
    except Exception as exc:  # a library too old for this wrapper
        return None, OqsStatus(False, f"liboqs at {library} does not work with liboqs-python: {exc}",
                               library_path=library, searched=searched)
    return oqs, OqsStatus(
        True,
        f"liboqs {liboqs_version} at {library}",
        library_path=library,
        liboqs_version=liboqs_version,
        liboqs_python_version=str(python_version) if python_version else None,
        searched=searched,
        warnings=tuple(str(w.message) for w in caught),
    )


def _silence_oqs_logger(captured: io.StringIO) -> None:
    """Drop the stdout handler liboqs-python attached (now bound to our buffer); keep propagation."""
    logger = logging.getLogger("oqs.oqs")
    for handler in list(logger.handlers):
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is captured:
            logger.removeHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = True
    for line in captured.getvalue().splitlines():
        logging.getLogger(__name__).debug("liboqs-python said: %s", line)
