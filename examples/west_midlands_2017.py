"""West Midlands Police and HMIC, as the Joint Audit Committee saw them on 30 March 2017.

This example records the inspections, reports and recommendations of the committee paper
"HMIC Update" (Joint Audit Committee of the West Midlands Police and Crime Commissioner,
agenda item 06, 30 March 2017), with a history up to that committee, and then prints the
register the committee saw::

    python examples/west_midlands_2017.py --store sqlite:///west-midlands-2017.db

Run it twice against the same store and the second run records nothing: it says the
scenario is there and prints the register the store holds. ``--audience public`` prints
what the public may see of it (no sensitive inspection, owners by role only);
``--audience oversight`` what the force's oversight sees.

The scenario itself (what comes from the paper and what is invented) ships with the library
as :mod:`recommendations.demo` and its data file (one command a line, each with the time it
was recorded: see :mod:`recommendations.scenarios`), which ``recommendations demo`` builds
too; this script is the same thing through the library's API.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import recommendations as r
from recommendations import views
from recommendations.demo import (
    COMMITTEE,
    PREVIOUS_COMMITTEE,
    build,
    committee_update,
    diary,
    install,
    render,
)

__all__ = [
    "COMMITTEE",
    "PREVIOUS_COMMITTEE",
    "build",
    "committee_update",
    "diary",
    "main",
    "render",
]

DEFAULT_STORE = "sqlite:///west-midlands-2017.db"


def main(argv: Sequence[str] | None = None) -> int:
    """Build the scenario into ``--store`` and print the committee update of 30 March 2017."""
    parser = argparse.ArgumentParser(
        description="Record the West Midlands Police HMIC recommendations of March 2017 and "
        "print the register the Joint Audit Committee saw on 30 March 2017."
    )
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE,
        help=f"store URL to build into (default: {DEFAULT_STORE}; try memory://)",
    )
    parser.add_argument(
        "--audience",
        choices=[audience.value for audience in views.Audience],
        default=views.Audience.BODY.value,
        help="whom to print it for: the force itself (the default), its oversight, or the "
        "public (no sensitive item, no personal name)",
    )
    args = parser.parse_args(argv)
    try:
        tracker = r.Tracker(args.store)
    except r.RecommendationsError as error:
        print(f"error: cannot open {args.store}: {error}", file=sys.stderr)
        return 1
    with tracker:
        try:
            recorded = install(tracker)
        except r.RecommendationsError as error:
            print(f"error: {args.store}: {error.detail}", file=sys.stderr)
            return 1
        if not recorded:
            print(
                f"note: {args.store} already holds the West Midlands 2017 scenario; "
                "nothing was recorded again. Showing the register it holds.",
                file=sys.stderr,
            )
        print(committee_update(tracker, audience=views.Audience(args.audience)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
