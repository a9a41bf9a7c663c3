"""The command line, one file per command group (see Typer's "One File Per
Command"). Importing the modules registers their commands on `app`."""

# The order of these imports is the order of `vault --help`.
from . import notes  # noqa: F401, I001
from . import log  # noqa: F401
from . import files  # noqa: F401
from . import backup  # noqa: F401
from . import maintenance  # noqa: F401
from . import imports  # noqa: F401
from . import aliases  # noqa: F401
from . import exports  # noqa: F401
from . import unlock  # noqa: F401
from . import search  # noqa: F401
from . import tags  # noqa: F401
from . import inbox  # noqa: F401
from . import help  # noqa: F401
from .base import app, main

__all__ = ["app", "main"]
