"""Configuration scanning: sshd/ssh, nginx, Apache, HAProxy, openssl.cnf, java.security, Postfix, Dovecot
and Kubernetes manifests -> findings for every algorithm, group and protocol version a file names.

Entry point :func:`scan_paths`. Files are read as text; nothing is included, evaluated or executed.
"""

from pqscan.collect.config.common import COLLECTOR
from pqscan.collect.config.scanner import ConfigOptions, Format, scan_file, scan_paths, scan_text, sniff

__all__ = ["COLLECTOR", "ConfigOptions", "Format", "scan_file", "scan_paths", "scan_text", "sniff"]
