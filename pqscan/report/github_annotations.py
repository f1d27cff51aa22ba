"""GitHub Actions workflow-command annotations: ``::error file=F,line=L,col=C,title=T::message``.

Escaping follows the Actions toolkit (``@actions/core`` ``command.ts``): in the message ``%``, CR and LF
are percent-encoded; in properties also ``:`` and ``,``. Target text (file names, snippets) can hold
none of these raw, so a hostile file name cannot inject a second command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pqscan.model import Finding, Severity
from pqscan.textsafe import clean

COMMAND = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def escape_data(text: str) -> str:
    # GitHub's log viewer renders ANSI escapes: a target's ESC would restyle or hide log lines.
    return clean(text, keep_newlines=True).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, severity: Severity, message: str, *, path_prefix: str = "") -> str | None:
    """One annotation line, or None for INFO findings (not worth a line in a pull request)."""
    cmd = COMMAND.get(severity)
    if cmd is None:
        return None
    ev = finding.evidence
    props = []
    if ev.location and "://" not in ev.location:
        props.append(f"file={escape_property(path_prefix + ev.location)}")
        if ev.line:
            props.append(f"line={ev.line}")
            if ev.column:
                props.append(f"col={ev.column}")
    props.append(f"title={escape_property(f'pqscan {severity.value}: {finding.algorithm} ({finding.usage.value})')}")
    return f"::{cmd} {','.join(props)}::{escape_data(message)}"


def render_annotations(findings: Iterable[Finding], severity_of: Callable[[Finding], Severity],
                       message_of: Callable[[Finding], str], *, path_prefix: str = "") -> str:
    ordered = sorted(findings, key=lambda f: (-severity_of(f).rank, f.evidence.location, f.evidence.line or 0))
    lines = [a for f in ordered if (a := annotation(f, severity_of(f), message_of(f), path_prefix=path_prefix))]
    return "\n".join(lines) + ("\n" if lines else "")
