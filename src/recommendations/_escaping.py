r"""Text from the log, made safe to put in Markdown: the one function every Markdown output
uses for every text it did not write itself (the paper, the register, the trails).

Text entered by anyone (a recommendation's text, a note, an owner, a report's title) must
show as typed wherever the Markdown is rendered, and never become markup: no HTML element,
no link, no image, no emphasis, no table cell boundary, no heading or list.

>>> print(markdown_text("<img src=x onerror=alert(1)> | [x](javascript:alert(1))"))
\<img src=x onerror=alert(1)\> \| \[x\](javascript:alert(1))
>>> print(markdown_text("1. first\n- second, 2.16 and UC-21"))
1\. first<br>\- second, 2.16 and UC-21
"""

from __future__ import annotations

import re

__all__ = ["markdown_text"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~$])")
"""The characters that can start markup anywhere in a line (CommonMark, GitHub's tables,
strikethrough and mathematics): each is escaped with a backslash, which CommonMark allows
before any ASCII punctuation and which then shows the character itself."""

_BLOCK_START = re.compile(r"^(?:([-+*](?=\s|$|[-+*])|=|:(?=:))|(\d{1,9})([.)])(?=\s|$))")
"""What makes a line a list item, a thematic break, a setext underline or a fenced block
when it starts one: escaped at the start of the text, the only place a line starts."""


def _line(line: str) -> str:
    words = " ".join(line.split())  # no indented code block, no hard break from spaces
    escaped = _SPECIAL.sub(r"\\\1", words)
    return _BLOCK_START.sub(_escaped_start, escaped, count=1)


def _escaped_start(match: re.Match[str]) -> str:
    if match[2] is not None:
        return f"{match[2]}\\{match[3]}"
    return f"\\{match[0]}"


def markdown_text(text: str) -> str:
    r"""``text`` as Markdown that shows it literally, on one line of the Markdown source.

    Every character that could start markup is escaped with a backslash (``\\``, backticks,
    ``*``, ``_``, brackets, ``<``, ``>``, ``|``, ``#``, ``&``, ``!``, ``~``, ``$``), and so
    is what would make the text's start a block (``1.``, ``-``, ``+``, ``=``, ``::``).
    Runs of spaces and tabs become one space; a line break becomes ``<br>``, which breaks
    the line in a paragraph, a heading and a table cell alike. The same text is safe in any
    of them.
    """
    return "<br>".join(_line(line) for line in text.splitlines())
