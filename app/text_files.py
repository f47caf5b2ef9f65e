"""The text of files people send each other: UTF-8 with or without its byte-order mark, or UTF-16
or UTF-32 marked as such — what Windows PowerShell's redirection and Notepad's "Unicode" write."""
from __future__ import annotations

import codecs

# UTF-32's little-endian mark begins with UTF-16's: it is looked for first.
_MARKED = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
           (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes) -> str:
    """``data`` as text, by its byte-order mark, else as UTF-8; UnicodeDecodeError if it is neither."""
    for mark, codec in _MARKED:
        if data.startswith(mark):
            return data.decode(codec)
    return data.decode("utf-8-sig")
