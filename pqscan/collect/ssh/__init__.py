"""SSH collector: KEX, host-key, cipher and MAC algorithms and the host keys of SSH servers."""

from __future__ import annotations

from pqscan.collect.ssh.probe import SshProbeOptions, make_probe, probe_ssh

__all__ = ["SshProbeOptions", "make_probe", "probe_ssh"]
