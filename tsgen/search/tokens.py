"""Words of a ticket or article for finding similar cases: Chinese as character bigrams, Latin words and
error strings whole (and in parts), everything NFKC-normalised and lower-cased.

Why bigrams and not jieba: on the sample archive both find a ticket's linked KB article equally
often (tests/test_similar.py measures it), but jieba tokenises ~2,000 short texts a second here,
which at 100,000 tickets is most of a minute, while bigrams take ~2 s. Overlapping bigrams also match
words jieba's dictionary splits differently in two texts (出库单 / 出库 单). `chinese="jieba"` is
kept for that comparison (bench/bench_similar.py --tokens jieba).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

# CJK ideographs (with extension A and compatibility ideographs); kana and hangul are rare in this data
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_BIGRAM = re.compile(r"(?=([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}))")  # overlapping pairs, found in C
# a Latin word, a number, or an error string joined by . _ - : / (ORA-12170, java.net.SocketTimeoutException)
_LATIN = re.compile(r"[a-z0-9]+(?:[._\-:/][a-z0-9]+)*")
_SPLIT = re.compile(r"[._\-:/]")
# words too common in support text to say anything about a problem (single Chinese characters never count)
STOPWORDS = frozenset("""
a an and are as at be by for from in is it of on or the to with was were this that not no
""".split())

_jieba = None


def _jieba_cut(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba.lcut_for_search(text, HMM=False)


def tokens(text: str, chinese: str = "bigrams") -> list[str]:
    """The similarity tokens of `text`, in order (repeats kept: term frequency counts them)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for word in _LATIN.findall(text):
        if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        out.append(word)
        if _SPLIT.search(word):  # the parts too: "ora-12170" also matches "ORA 12170" and "12170"
            out.extend(p for p in _SPLIT.split(word) if len(p) > 1 and p not in STOPWORDS)
    if chinese == "jieba":
        for run in _CJK.findall(text):
            out.extend(w for w in _jieba_cut(run) if len(w) > 1)
    else:
        out.extend(_BIGRAM.findall(text))
    return out


def secret_tokens(values: Iterable[str], chinese: str = "bigrams") -> set[str]:
    """Tokens of customer names and contacts: dropped from every document, so similarity never rests on them."""
    found: set[str] = set()
    for value in set(values):  # the same masked name recurs on thousands of tickets
        whole = unicodedata.normalize("NFKC", value).lower()
        found.add(whole)
        # a short run of digits from a masked number (138****1234) identifies nobody, and dropping every
        # such run would drop error codes and years; a whole short value ("5678") is still dropped
        found.update(w for w in tokens(value, chinese) if not (w.isdigit() and len(w) < 5) or w == whole)
    return found
