"""Every output format, in one place: a module per format and a registry of them.

==========  ==============================================  ========================
format      module                                          writes
==========  ==============================================  ========================
``table``   :mod:`recommendations.outputs.table`            register, trail
``json``    :mod:`recommendations.outputs.json`             register, trail, paper,
                                                            register and trail
``csv``     :mod:`recommendations.outputs.csv`              register, trail (the two
                                                            together: a folder)
``xlsx``    :mod:`recommendations.outputs.xlsx`             register, trail,
                                                            register and trail
``md``      :mod:`recommendations.outputs.markdown`         register, trail, paper
``html``    :mod:`recommendations.outputs.html`             register, trail, paper
``pdf``     :mod:`recommendations.outputs.pdf`              register, trail, paper
==========  ==============================================  ========================

Each module declares its format in a module-level ``FORMAT`` (a :class:`Format`: its
name, its file name endings, whether it is binary, and its writers); :func:`formats` finds
them by listing this package, and the command line takes its ``--format`` choices and the
format a file's name says from :func:`names_for` and :func:`suffixes_for`. Adding a format
is adding a module (see :doc:`/how-to/add-an-output-format`).

>>> names_for("register")
('table', 'json', 'csv', 'xlsx', 'md', 'html', 'pdf')
>>> names_for("paper")
('json', 'md', 'html', 'pdf')
>>> suffixes_for("paper")[".txt"]
'md'

The Markdown, HTML and PDF writers lay text out from one
:class:`~recommendations.outputs.document.Document` (:mod:`recommendations.outputs.document`):
the committee paper, the register, the trail and one recommendation's history are each
laid out once, as a document, and each of the three writes any document (Markdown and HTML
a block at a time, so that a trail of a million rows is written in memory that does not
grow with it). A format that writes documents is declared with :meth:`Format.of_documents`,
from one writer of documents.
:mod:`recommendations.exports` and :mod:`recommendations.paper` write through these
modules and keep their names.
"""

from __future__ import annotations

from ._common import Listing
from ._registry import (
    DocumentWriter,
    Format,
    Paper,
    PdfRenderer,
    What,
    format_named,
    formats,
    formats_for,
    names_for,
    suffixes_for,
)

__all__ = [
    "DocumentWriter",
    "Format",
    "Listing",
    "Paper",
    "PdfRenderer",
    "What",
    "format_named",
    "formats",
    "formats_for",
    "names_for",
    "suffixes_for",
]
