"""Search text for the service register, tokenised once in Python for both databases.

PostgreSQL full-text search and SQLite FTS5 each have their own tokeniser, stemming and case
rules; letting either of them tokenise would make the same query match differently. So
this module is the only tokeniser: documents and queries are split into lower-case runs of
unicode letters and digits, every token is spelled in a plain-ASCII, prefix-preserving code,
and both engines only ever see those code words:

- PostgreSQL: `array_to_tsvector` over the stored code words (lexemes are taken verbatim) and
  a tsquery of quoted prefix lexemes (`'abc':* & 'def':*`);
- SQLite: an FTS5 table whose `unicode61` tokeniser sees nothing but [a-z0-9] words, one per
  token, queried with quoted prefix terms (`"abc"* AND "def"*`).

A query matches a document when every query token is a prefix of some document token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Longest token kept, in characters. Longer runs (hashes, pasted garbage) are cut, the same
# way for documents and queries, so matching stays symmetric. 64 leaves room for the longest
# words in Norwegian compounds; PostgreSQL allows lexemes up to 2047 bytes.
MAX_TOKEN_CHARS = 64
# Most distinct tokens kept per document; a service description is a few hundred words. Keeps
# the tsvector far below PostgreSQL's 1 MB limit.
MAX_DOCUMENT_TOKENS = 4000
# Most tokens used from a search query; more terms only narrow an AND query that is already
# specific, and the cap bounds the work a hostile query can cause.
MAX_QUERY_TOKENS = 8
# Longest query string looked at, in characters (the form field is shorter still).
MAX_QUERY_CHARS = 500

_TOKEN = re.compile(r"[^\W_]+")  # runs of unicode letters and digits (\w without "_")
_ESCAPE = "z"  # every character that is not [a-y0-9] is spelled "z" + six hex digits
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxy0123456789")


def tokens(text: str, limit: int = MAX_DOCUMENT_TOKENS) -> list[str]:
    """Distinct lower-case letter-and-digit runs of `text`, in order of first appearance."""
    text = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        seen.setdefault(match.group()[:MAX_TOKEN_CHARS], None)
        if len(seen) >= limit:
            break
    return list(seen)


def encode(token: str) -> str:
    """Spell a token in [a-z0-9] so that encode(p) is a prefix of encode(t) iff p is a prefix of t.

    Characters a–y and 0–9 stand for themselves; any other character (including "z") becomes
    "z" plus its code point in six hex digits. The code is prefix-free per character, which is
    what makes prefixes carry over.
    """
    return "".join(c if c in _PLAIN else f"{_ESCAPE}{ord(c):06x}" for c in token)


def document_words(parts: Iterable[str]) -> str:
    """The stored search text of a document: its encoded tokens joined by single spaces."""
    return " ".join(encode(t) for t in tokens(" ".join(p for p in parts if p)))


def query_words(query: str) -> list[str]:
    """The encoded tokens of a search query (empty when it has no letters or digits)."""
    return [encode(t) for t in tokens(query[:MAX_QUERY_CHARS], limit=MAX_QUERY_TOKENS)]


def tsquery(words: list[str]) -> str:
    """A PostgreSQL tsquery text: AND of quoted prefix lexemes. Words are [a-z0-9] only."""
    return " & ".join(f"'{w}':*" for w in words)


def fts5_query(words: list[str]) -> str:
    """An SQLite FTS5 query: AND of quoted prefix terms. Words are [a-z0-9] only."""
    return " AND ".join(f'"{w}"*' for w in words)


def matches(document: str, words: list[str]) -> bool:
    """Reference semantics in Python: every query word is a prefix of some document word."""
    doc = document.split()
    return all(any(d.startswith(w) for d in doc) for w in words)
