"""Student-controlled text made inert and bounded, in one place.

What a submission prints, raises or names reaches the reports and the terminal
of whoever runs ``grade``. There it must stay data: control characters (other
than newline and tab) and the invisible Unicode controls that reorder text are
replaced by visible escapes, so no terminal escape sequence or bidirectional
override reaches a reader; and it must stay small: :func:`truncated` cuts text
to the one limit of ``grading.toml`` (``limits.output_bytes``) and says how
much was left out.
"""

import re

# C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate marks.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text):
    """``text`` with every control character but newline and tab shown as an escape.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        E.g. ``"\\x1b[31m"`` for the terminal escape ESC ``[31m``, ``"\\u202e"`` for
        a right-to-left override; a carriage return becomes ``"\\r"``.
    """
    return _CONTROLS.sub(_escape, text)


def _escape(match):
    character = match.group()
    if character == "\r":
        return "\\r"
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def truncated(text, limit):
    """At most ``limit`` bytes of ``text`` (in UTF-8), with a note of what was cut.

    Parameters
    ----------
    text : str
    limit : int
        ``limits.output_bytes``.

    Returns
    -------
    str
        ``text`` itself when it fits; otherwise its first ``limit`` bytes (never half
        a character) and a line saying how many bytes were not shown.
    """
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) <= limit:
        return text
    return cut_bytes(data, limit)


def cut_bytes(data, limit, dropped=0):
    """The first ``limit`` bytes of ``data``, decoded, with a note of what was cut.

    Parameters
    ----------
    data : bytes
        Text in UTF-8 (invalid sequences are shown as U+FFFD).
    limit : int
    dropped : int
        Bytes already left out before ``data`` was kept.

    Returns
    -------
    str
    """
    shown = data[:limit].decode("utf-8", errors="replace")
    left_out = dropped + len(data) - min(len(data), limit)
    if not left_out:
        return shown
    return f"{shown}\n[... {left_out} more bytes not shown: the output limit is {limit} bytes]\n"


class KeptBytes:
    """The first ``limit`` bytes of a stream of UTF-8 chunks, and a count of the rest.

    Parameters
    ----------
    limit : int
        ``limits.output_bytes``.
    """

    def __init__(self, limit):
        self.limit = limit
        self._kept = bytearray()
        self._dropped = 0

    def add(self, data):
        """Keep what still fits of ``data`` (bytes); count the rest."""
        room = max(self.limit - len(self._kept), 0)
        self._kept += data[:room]
        self._dropped += len(data) - min(room, len(data))

    def take(self, errors="replace"):
        """What was added since the last call, decoded, cut to ``limit`` with a note.

        Parameters
        ----------
        errors : str
            How bytes that are not UTF-8 decode when nothing was cut (the cut text always
            shows them as U+FFFD, see :func:`cut_bytes`).

        Returns
        -------
        str
        """
        kept, dropped = bytes(self._kept), self._dropped
        self._kept, self._dropped = bytearray(), 0
        if not dropped:
            return kept.decode("utf-8", errors=errors)
        return cut_bytes(kept, self.limit, dropped)
