"""The console script. Tiny on purpose: Ctrl-C while the heavier modules are
still importing must end in one line and exit 130, not a traceback."""

import sys


def main() -> int:
    try:
        from .cli import main as cli_main
        return cli_main()
    except KeyboardInterrupt:
        try:
            sys.stderr.write("vault: error: interrupted\n")
        except (OSError, ValueError):
            pass
        return 130
