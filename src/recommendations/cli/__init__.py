"""The command line: ``recommendations`` (or ``python -m recommendations``).

Every command and group has ``--help`` (``recommendations`` alone prints the group's, with
status 0); ``docs/reference/cli.md`` lists them all. Exit status 0 means done; 1, refused
(one line on standard error naming the recommendation, the field and the rule; nothing was
recorded); 2, the command line itself was wrong.

The store is chosen by ``--store URL``, else the ``RECOMMENDATIONS_STORE`` environment
variable, else ``sqlite:///recommendations.db`` in the working directory.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import _admin, _config, _integrity, _read, _record, _remind, _reports, _serve
from ._app import DEFAULT_STORE, STORE_ENV, Refused, cli

__all__ = ["DEFAULT_STORE", "STORE_ENV", "Refused", "cli", "main"]

# The modules that define the commands, imported for their effect: each adds its commands.
_COMMAND_MODULES = (_record, _read, _admin, _integrity, _config, _remind, _reports, _serve)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: the process's arguments); the exit
    status."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="recommendations")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
