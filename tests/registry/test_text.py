"""The search-text engine: one tokeniser, a prefix-preserving code, identical query strings."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mps.registry.engine.text import (
    MAX_QUERY_TOKENS,
    MAX_TOKEN_CHARS,
    document_words,
    encode,
    fts5_query,
    matches,
    query_words,
    tokens,
    tsquery,
)


def test_tokens_are_lower_case_letter_and_digit_runs():
    assert tokens("Azure norwayeast, ISO/IEC 27001 — Skyleverandør_AS") == [
        "azure",
        "norwayeast",
        "iso",
        "iec",
        "27001",
        "skyleverandør",
        "as",
    ]


def test_tokens_are_distinct_in_first_seen_order():
    assert tokens("b a B a") == ["b", "a"]


def test_long_runs_are_cut_the_same_way_for_documents_and_queries():
    word = "x" * (MAX_TOKEN_CHARS + 10)
    assert tokens(word) == ["x" * MAX_TOKEN_CHARS]
    assert matches(document_words([word]), query_words(word))


def test_queries_use_at_most_the_token_cap():
    assert len(query_words(" ".join(f"w{i}" for i in range(50)))) == MAX_QUERY_TOKENS


def test_encoded_words_are_plain_ascii_letters_and_digits():
    assert encode("blåbær") == "blz0000e5bz0000e6r"
    assert encode("azure") == "az00007aure"
    assert encode("abc123") == "abc123"


def test_query_strings_quote_every_prefix_term():
    words = query_words("Norsk sky")
    assert tsquery(words) == "'norsk':* & 'sky':*"
    assert fts5_query(words) == '"norsk"* AND "sky"*'


def test_a_query_without_letters_or_digits_has_no_words():
    assert query_words(" -- ** ") == []


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12), st.text(max_size=12))
def test_encoding_keeps_prefixes_exactly(a, b):
    assert encode(a + b).startswith(encode(a))
    assert encode(b).startswith(encode(a)) == b.startswith(a)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_encoded_words_never_contain_anything_but_a_to_z_and_digits(text):
    for word in document_words([text]).split():
        assert word.isascii() and word.isalnum() and word == word.lower()
