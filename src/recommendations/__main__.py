"""``python -m recommendations``: the command line (see :mod:`recommendations.cli`)."""

from recommendations.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
