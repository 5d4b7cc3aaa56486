"""Tokenising for the search index: Chinese cut into words by jieba, everything else left as written.

Pagefind splits text on whitespace and punctuation only (the index is written with a language that
has no stemmer and no segmenter of its own, see index.py), so this module decides what a word is,
once, for the index and - through the word list the browser receives - for the query:

- Chinese runs are cut by jieba into words, separated by spaces (`数据库 连接 超时`);
- Latin words, numbers and error strings stay whole and unstemmed (`CORS`, `ORA-12170`,
  `java.net.SocketTimeoutException`): Pagefind indexes a hyphenated or dotted word whole and in parts.

The browser segments a Chinese query with the same vocabulary (`vocabulary()`), so a word is
matched as a word, not as single characters.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, Iterator

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{HAN}]+")
_HAN_SPLIT = re.compile(f"([{HAN}]+)")
_HAN_WORD = re.compile(f"^[{HAN}]{{2,}}$")
# full-width and Chinese punctuation: spaced off, so `，ORA-12170` and `“权限` split where a reader sees a break
_CJK_PUNCT = re.compile("([\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026])")

_jieba = None


def _cutter():  # type: ignore[no-untyped-def]
    """jieba's precise mode with HMM for unknown words: rjieba (jieba-rs, the same dictionary and
    model, about 40 times faster: 100,000 tickets in seconds, not minutes), else Python's jieba."""
    global _jieba
    if _jieba is None:
        try:
            import rjieba

            _jieba = lambda run: rjieba.cut(run, True)  # noqa: E731
        except ImportError:  # pragma: no cover - rjieba is a dependency
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = lambda run: jieba.lcut(run, HMM=True)  # noqa: E731
    return _jieba


def words(run: str) -> list[str]:
    """One run of Chinese characters cut into words."""
    return [w for w in _cutter()(run) if w.strip()]


def segment(text: str, seen: set[str] | None = None) -> str:
    """`text` with every Chinese run cut into space-separated words; other text unchanged.

    Every word jieba cuts is added to `seen` (vocabulary() keeps those of two or more Chinese
    characters: the vocabulary the browser gets). A space is put between Chinese and what touches it,
    so `报错“权限不足”` is `报错 “ 权限 不足 ”`. The runs go to jieba in one call, a line each: jieba
    cuts every line on its own, as it would the run alone (one call per run was a third of the time
    of writing the search records); its words are joined with spaces and the lines split apart again.
    """
    parts = _HAN_SPLIT.split(text)  # the Chinese runs at the odd places
    if len(parts) > 1:
        runs = parts[1::2]
        cut = _cutter()("\n".join(runs))
        lines = " ".join(cut).split(" \n ")
        if len(lines) != len(runs):  # pragma: no cover - a line break inside jieba's output: one run at a time
            each = [words(r) for r in runs]
            cut = [w for ws in each for w in ws]
            lines = [" ".join(ws) for ws in each]
        if seen is not None:
            seen.update(cut)
        parts[1::2] = [f" {line} " for line in lines]
        text = "".join(parts)
    return _CJK_PUNCT.sub(_spaced, text)


def _spaced(m: re.Match[str]) -> str:  # a function: faster than the template " \1 " in re.sub
    return f" {m.group(1)} "


# a name made of parts joined by dots, colons, slashes or backslashes: java.net.SocketTimeoutException,
# NET::ERR_CERT_DATE_INVALID, TNS:Connect, com/example/Foo (a trailing colon or dot ends the name)
_COMPOUND = re.compile(r"[A-Za-z_$][\w$-]*(?:(?:\.|::?|/|\\)[A-Za-z_$][\w$-]*)+")
_JOINT = re.compile(r"\.|::?|/|\\")


def aliases(text: str) -> list[str]:
    """The shorter names a compound identifier in `text` is also searched by: every tail after one of
    its joints (`java.net.SocketTimeoutException` -> `net.SocketTimeoutException`, `SocketTimeoutException`;
    `NET::ERR_CERT_DATE_INVALID` -> `ERR_CERT_DATE_INVALID`), in order of first appearance, once each.

    Pagefind indexes such a word whole (punctuation dropped: `javanetsockettimeoutexception`, which a
    query matches from its start) and in lower-case pieces split at punctuation and at camel case
    (`java`, `net`, `socket`, `timeout`, `exception`), so without these a query for the class name
    alone, as engineers type it, would not find the text that gives it with its package.
    """
    out: dict[str, None] = {}
    for m in _COMPOUND.finditer(text):
        word = m.group(0)
        for j in _JOINT.finditer(word):
            tail = word[j.end():]
            if len(tail) > 3 and not tail.isdigit():   # not file endings (.ora, .dll)
                out.setdefault(tail, None)
    return list(out)


def vocabulary(seen: Iterable[str]) -> list[str]:
    """The Chinese words of the index, sorted, for the browser's query segmenter."""
    return sorted(w for w in set(seen) if _HAN_WORD.match(w))


# The vocabulary goes to the browser in this many files, a word in file (code point of its first
# character) % BUCKETS: a query needs only the files of its own characters. One file of 100,000 words
# would be a megabyte on every cold query; a file here holds the words that start with about 1/128
# of the characters (tsgen-search.js computes the same file number).
BUCKETS = 128


def buckets(words: Iterable[str]) -> list[list[str]]:
    """`words` cut into the BUCKETS files the search page loads, each sorted; empty ones stay empty."""
    out: list[list[str]] = [[] for _ in range(BUCKETS)]
    for w in sorted(words):
        out[ord(w[0]) % BUCKETS].append(w)
    return out


def han_runs(text: str) -> Iterator[str]:
    """Every run of Chinese characters in text."""
    return (m.group(0) for m in _HAN_RUN.finditer(text))
