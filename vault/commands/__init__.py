"""One module per command group, the same names as cli/. Each write and its log entry are one transaction; results are returned, never printed."""
