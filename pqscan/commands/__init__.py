"""One module per CLI command; registered in pqscan.cli.COMMANDS."""
