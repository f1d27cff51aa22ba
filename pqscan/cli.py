"""The ``pqscan`` command line: a thin layer over the library.

Commands only parse options, call the library, pick a formatter and map the outcome to an exit
code (see :class:`pqscan.errors.ExitCode`). Each command lives in its own module under
``pqscan/commands/`` and is listed once in :data:`COMMANDS`; modules are imported lazily so
``pqscan --help`` stays fast and an optional dependency of one command never breaks another.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import logging
import os
import signal
import sys
import threading
import traceback
from typing import Any, NoReturn

import click

from pqscan import __version__
from pqscan.errors import ExitCode, PqscanError

# command name -> "module:attribute". The one place commands are registered.
COMMANDS: dict[str, str] = {
    "scan": "pqscan.commands.scan:command",
    "tls": "pqscan.commands.tls:command",
    "ssh": "pqscan.commands.ssh:command",
    "certs": "pqscan.commands.certs:command",
    "code": "pqscan.commands.code:command",
    "ci": "pqscan.commands.ci:command",
    "assess": "pqscan.commands.assess:command",
    "report": "pqscan.commands.report:command",
    "diff": "pqscan.commands.diff:command",
    "graph": "pqscan.commands.graph:command",
    "bench": "pqscan.commands.bench:command",
    "demo": "pqscan.commands.demo:command",
    "profiles": "pqscan.commands.profiles:command",
    "merge": "pqscan.commands.merge:command",
    "history": "pqscan.commands.history:command",
    "store": "pqscan.commands.store:command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._spec_available(name)]

    @staticmethod
    def _spec_available(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None or not self._spec_available(cmd_name):
            return None
        module_name, attr = spec.split(":")
        module = importlib.import_module(module_name)
        cmd = getattr(module, attr)
        assert isinstance(cmd, click.Command)
        _accept_global_options(cmd)
        return cmd


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value:
        obj = ctx.find_root().ensure_object(dict)
        if param.name == "quiet_after":
            obj["quiet"] = True
            logging.getLogger().setLevel(logging.WARNING)
        else:
            obj["verbose"] = max(int(obj.get("verbose", 0)), int(value))


def _accept_global_options(cmd: click.Command) -> None:
    """``-q`` and ``-v`` mean the same after the subcommand as before it (``pqscan scan -q ...``)."""
    taken = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    if "-q" not in taken and "--quiet" not in taken:
        cmd.params.append(click.Option(["-q", "--quiet", "quiet_after"], is_flag=True, expose_value=False,
                                       is_eager=True, callback=_set_global, help="Same as 'pqscan -q'."))
    if "-v" not in taken and "--verbose" not in taken:
        cmd.params.append(click.Option(["-v", "--verbose", "verbose_after"], count=True, expose_value=False,
                                       is_eager=True, callback=_set_global, help="Same as 'pqscan -v'."))
    for sub in getattr(cmd, "commands", {}).values():
        _accept_global_options(sub)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="pqscan")
@click.option("-v", "--verbose", count=True, help="More detail on stderr; -vv shows tracebacks of errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors; no progress or notes.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """pqscan: find the cryptography a quantum computer breaks, and plan its migration.

    \b
    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error,
                3 internal error, 4 tls/ssh (scan of network targets only): no endpoint could be scanned,
                130 interrupted (Ctrl-C), 143 terminated (SIGTERM); partial results are kept.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    ctx.obj["quiet"] = quiet
    level = logging.WARNING if quiet else (logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="pqscan: %(message)s", stream=sys.stderr)


def _verbosity(argv: list[str]) -> int:
    count = 0
    for arg in argv:
        if arg == "--verbose":
            count += 1
        elif arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) == {"v"}:
            count += len(arg) - 1
    return count


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises KeyboardInterrupt: the same unwinding keeps the same results
    (the scan session writes what finished, marked partial), then exit 143 instead of 130."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _interrupted(exc: BaseException) -> None:
    terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__ or exc.__context__, Terminated)
    what = "terminated (SIGTERM)" if terminated else "interrupted"
    click.echo(f"pqscan: {what}; results gathered so far were kept", err=True)
    sys.exit(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)


def main(argv: list[str] | None = None) -> Any:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = _verbosity(args)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (an embedding application): leave its handlers alone
        pass
    try:
        rv = cli.main(args=args, prog_name="pqscan", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        # One line, not click's usage block: the user asked for help with -h if they want it.
        where = exc.ctx.command_path if exc.ctx is not None else "pqscan"
        click.echo(f"pqscan: error: {exc.format_message()} (see '{where} --help')", err=True)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as exc:
        click.echo(f"pqscan: error: {exc.format_message()}", err=True)
        sys.exit(ExitCode.USAGE)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:  # click turns Ctrl-C into Abort
        _interrupted(exc)
    except PqscanError as exc:
        if verbose >= 2:
            traceback.print_exc()
        click.echo(f"pqscan: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.OK)
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if verbose >= 2:
            traceback.print_exc()
        if isinstance(exc, OSError) and exc.filename is not None:
            # A file the user named (or one written beside it) cannot be read or written: input error.
            click.echo(f"pqscan: error: {exc.filename}: {exc.strerror or exc}", err=True)
            sys.exit(ExitCode.USAGE)
        click.echo(
            f"pqscan: internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)", err=True
        )
        sys.exit(ExitCode.INTERNAL)
    sys.exit(int(rv) if isinstance(rv, int) else ExitCode.OK)


def run() -> NoReturn:
    """The program (the ``pqscan`` script, ``python -m pqscan``): :func:`main`, then a quick exit.

    Once the command has returned, everything it wrote is closed; what is left is the interpreter
    freeing every module and object one by one (~30 ms with cryptography, pyOpenSSL and tree-sitter
    loaded, a tenth of a small scan). Exit handlers still run and the standard streams are flushed,
    then the process ends. A thread still working (not a daemon), a profiler or a debugger gets
    Python's ordinary shutdown. Library callers use :func:`main`, which only raises SystemExit.
    """
    try:
        main()
        code: object = ExitCode.OK
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
    status = 0 if code is None else int(code) if isinstance(code, int) else 1
    if sys.getprofile() is not None or sys.gettrace() is not None or any(
            t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(status)  # a profiler or debugger writes its results after this returns; a thread to wait for
    atexit._run_exitfuncs()  # what Python runs at exit: logging, multiprocessing, user hooks
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach the reader
            pass
    os._exit(status)
