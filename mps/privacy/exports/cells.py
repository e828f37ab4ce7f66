"""Makes text safe to put in a spreadsheet cell or an XML document.

Formula injection (CWE-1236): a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some programs skip before reading a formula) is run as a
formula when the file is opened, so a vendor-supplied name like ``=HYPERLINK(...)`` could
act in an agency's spreadsheet. Such text gets a leading apostrophe, the usual way to say
"this is text" that spreadsheet users recognise; nothing else is changed.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 Char production: text outside it cannot be written to ODS, XLSX, DOCX or HTML.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Drop control characters and lone surrogates no document format can hold."""
    return _NOT_XML_CHAR.sub("", text)


def defuse(text: str) -> str:
    """Cell text that no spreadsheet runs as a formula."""
    text = xml_safe(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
