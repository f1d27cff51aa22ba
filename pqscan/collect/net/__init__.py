"""Network plumbing shared by the TLS and SSH collectors: targets, limits, the local scheduler."""
