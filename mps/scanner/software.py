"""Product and version extraction from HTTP headers and service banners.

Our own small pattern set: the aim is the product/version pair that later threat-intelligence
work matches against vulnerability data, recorded with the raw text as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Product/1.2.3", "Product 1.2.3", "Product_1.2", "Product-v1.2" (RFC 9110 §10.2.4 product tokens
# plus the looser forms banners use). Version needs at least major.minor.
_PRODUCT_VERSION = re.compile(
    r"([A-Za-z][A-Za-z0-9.+\-]{0,39}?)[/ _\-]v?(\d{1,5}(?:\.\d{1,5}){1,3}[a-z]?\d?)\b"
)
# Protocol identifiers that look like product/version but are not software.
_PROTOCOL_TOKENS = {
    "http",
    "https",
    "ssh",
    "rfb",
    "tls",
    "ssl",
    "smtp",
    "esmtp",
    "ftp",
    "imap",
    "pop3",
}
# Longest banner or header we look at.
MAX_TEXT = 1024


@dataclass(frozen=True)
class Software:
    product: str
    version: str
    source: str  # e.g. "Server header", "ftp banner"

    def to_json(self) -> dict[str, str]:
        return {"product": self.product, "version": self.version, "source": self.source}


def product_versions(text: str, source: str) -> list[Software]:
    """Every product/version pair in ``text``; [] when none is disclosed."""
    found: list[Software] = []
    for m in _PRODUCT_VERSION.finditer(text[:MAX_TEXT]):
        product = m.group(1).strip(" -_/")
        if not product or product.lower() in _PROTOCOL_TOKENS:
            continue
        item = Software(product, m.group(2), source)
        if item not in found:
            found.append(item)
    return found


def mysql_version(banner: bytes) -> Software | None:
    """MySQL/MariaDB protocol v10 greeting: 4-byte header, 0x0a, NUL-terminated server version."""
    if len(banner) < 6 or banner[4] != 0x0A:
        return None
    raw = banner[5 : 5 + 64].split(b"\x00", 1)[0]
    text = raw.decode("ascii", "replace")
    if not re.match(r"^\d+\.\d+", text):
        return None
    product = "MariaDB" if "mariadb" in text.lower() else "MySQL"
    return Software(product, text.split("-", 1)[0], "mysql greeting")
