"""Customer data (data-contract section 4): normalising text, finding a customer's name and contact in
it, masking them, and the privacy lint that looks for other people's phone numbers, e-mail addresses
and ID-card numbers.

One idea runs through it: text is compared in a *normalised view* — NFKC (full-width digits and
letters become ASCII), case folded, zero-width characters dropped, HTML character references and
percent-escapes decoded, HTML tags, Markdown emphasis/code marks and backslash escapes dropped,
runs of spaces collapsed and spaces between Chinese characters dropped. The customer's name and
contact are normalised the same way, so `张&#x4E09;`, `张**三**`, `张\u200b三`, `张 三` all match
`张三`, and `１３８ 0013-8000` matches `13800138000` (phone numbers are compared by their digits,
e-mail addresses case-insensitively). Every view character remembers the span of source text it
came from, so the mask replaces exactly the source span that normalises to the secret and the
surrounding text survives.

Masking is global: every published text of the archive is masked with the names and contacts of
*every* ticket's customer (a customer named in another ticket, or in an article's body, is still
that customer). `Masker.published` returns the archive as the site may show it; the renderer calls
it once, before any escaping and before any Markdown reaches MkDocs.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable, Iterator
from urllib.parse import unquote_to_bytes

from tsgen.archive.model import Archive, Article, LogEntry, Ticket
from tsgen.archive.scan import AtSign

# The mask, by site language. Not Markdown: `***` was emphasis, and `[hidden]` is a shortcut reference
# link as soon as a body defines `[hidden]: <url>`; the tortoise-shell brackets are inert everywhere.
MASKS = {"zh": "〔已隐藏〕", "en": "〔hidden〕"}

ZERO_WIDTH = frozenset("\u00ad\u034f\u061c\u115f\u1160\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c"
                       "\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0")
MIN_NAME = 2        # a one-character "name" (or 张* / 张** as the guide masks it) is not looked for
MIN_DIGITS = 7      # phone numbers are found inside longer digit runs from this length on
MIN_EXACT_DIGITS = 5  # shorter numeric contacts (a QQ number, an extension) only as a whole digit run


# --- the normalised view ------------------------------------------------------------------------------------------

class _FoldTable(dict):  # type: ignore[type-arg]
    """code point -> its normalised text (None: dropped), computed on first use, for str.translate.

    Only what matters for names, numbers and addresses changes: zero-width characters go, characters
    whose NFKC form holds a letter or digit (full-width ＡＢ１２, ligatures, circled digits) become it,
    other spaces become " ". Full-width punctuation (，：（）) stays, so most Chinese text needs no
    translation at all; line breaks and tabs are the space pass's; letter case is folded last (lower()).
    """

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        out: str | None = ch
        if ch in ZERO_WIDTH:
            out = None
        elif ch == "\u0130":
            out = "i"  # the one character whose lower() is two characters
        elif ch.isspace():
            out = ch if ch in _LINE_SPACE else " "
        else:
            text = "".join(c for c in unicodedata.normalize("NFKC", ch) if c not in ZERO_WIDTH)
            if text != ch and (any(c.isalnum() for c in text) or text in "@.-+"):
                out = "".join(" " if c.isspace() else c for c in text).replace("\u0130", "i")
        self[cp] = out
        return out


_LINE_SPACE = frozenset(" \t\n\r\f\v")
_FOLD = _FoldTable()


@lru_cache(maxsize=1)
def _changes() -> re.Pattern[str]:
    """The characters the table changes (built once, when a long text is first folded: ~0.1 s)."""
    changed = [cp for cp in range(0x10000) if not 0xD800 <= cp < 0xE000 and _FOLD[cp] != chr(cp)]
    ranges: list[tuple[int, int]] = []
    for cp in changed:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{parts}\U00010000-\U0010ffff]")


_REFS = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});|(?:%[0-9a-f]{2})+", re.IGNORECASE)
# each pass starts with one character or class, so the regex engine skips between matches at C speed
_MARKS = re.compile(r"[*_~`]+")
_MARKUP = re.compile(r"<(?:/?[a-z][a-z0-9:-]*(?:\s[^<>]*)?/?>|!--)|-->|\\(?=[!-/:-@\[-`{-~])", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_CJK = "\u2e80-\u2fdf\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_SPACE = re.compile(rf" (?<=[{_CJK}] )(?=[{_CJK}])")


def _decode_ref(m: re.Match[str]) -> str:
    """An HTML character reference or a run of percent-escapes, decoded and folded (kept if invalid)."""
    token = m.group(0)
    if token[0] == "&":
        decoded = html.unescape(token)
    else:
        try:
            decoded = unquote_to_bytes(token).decode("utf-8")
        except UnicodeDecodeError:
            return token
    return token if decoded == token else decoded.translate(_FOLD)


# The passes, in order; `fold` runs them with re.sub and `view` with offsets, so both give the same text.
_PASSES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (_REFS, _decode_ref), (_MARKUP, ""), (_MARKS, ""), (_SPACES, " "), (_CJK_SPACE, ""))


def fold(text: str) -> str:
    """The normalised view of `text` (fast: C-level passes; no offsets)."""
    if len(text) < 64 or _changes().search(text):
        text = text.translate(_FOLD)
    if "&" in text or "%" in text:
        text = _REFS.sub(_decode_ref, text)
    if "<" in text or "\\" in text or "-->" in text:
        text = _MARKUP.sub("", text)
    text = _MARKS.sub("", text)
    text = " ".join(text.split())  # = the _SPACES pass and a strip (the table left no other spaces)
    if " " in text:
        text = _CJK_SPACE.sub("", text)
    return text.lower()


def view(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised view of `text` with, for every view character, the [start, end) of its source."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        mapped = _FOLD[ord(ch)]
        if mapped:
            out.append(mapped)
            starts.extend([i] * len(mapped))
            ends.extend([i + 1] * len(mapped))
    s = "".join(out)
    for pattern, repl in _PASSES:
        s, starts, ends = _apply(s, starts, ends, pattern, repl)
        if pattern is _SPACES and s[:1] == " ":
            s, starts, ends = s[1:], starts[1:], ends[1:]
        if pattern is _SPACES and s[-1:] == " ":
            s, starts, ends = s[:-1], starts[:-1], ends[:-1]
    return s.lower(), starts, ends  # lower() keeps the length: the table has mapped U+0130 already


def _apply(s: str, starts: list[int], ends: list[int], pattern: re.Pattern[str],
           repl: Any) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for m in pattern.finditer(s):
        a, b = m.span()
        out.append(s[last:a])
        new_starts += starts[last:a]
        new_ends += ends[last:a]
        r = repl if isinstance(repl, str) else repl(m)
        if r:
            out.append(r)
            new_starts += [starts[a]] * len(r)
            new_ends += [ends[b - 1]] * len(r)
        last = b
    out.append(s[last:])
    new_starts += starts[last:]
    new_ends += ends[last:]
    return "".join(out), new_starts, new_ends


# --- secrets: what a customer's name and contact look like in the view --------------------------------------------

_EMAIL = re.compile(r"(?<![a-z0-9.%+-])[a-z0-9][a-z0-9.%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_DIGIT_RUN = re.compile(r"\+?\d(?:[ \-.()/（）]{0,2}\d)*")
# the runs that can hold a contact number (MIN_EXACT_DIGITS or more digits): times and short numbers are
# passed over by the regex engine, not by Python
_LONG_RUN = re.compile(r"\+?\d(?:[ \-.()/（）]{0,2}\d){%d,}" % (MIN_EXACT_DIGITS - 1))
_LABELS = frozenset("tel phone mobile mob cell fax email e-mail mail wechat weixin wx qq im ext 电话 手机 座机 "
                    "固话 微信 邮箱 邮件 传真 分机 联系方式 联系电话".split())


def phone_variants(digits: str) -> set[str]:
    """The digit strings a phone number is written as: with or without +86/0086, with or without an area code."""
    out = {digits}
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= MIN_DIGITS:
            rest = digits[len(prefix):]
            out.add(rest)
            if not rest.startswith(("0", "1")):
                out.add("0" + rest)          # +86 21 5432 1000 is 021 5432 1000
    if digits.startswith("1") and len(digits) == 11:
        out.add("86" + digits)               # a mobile written +86 138…: masked with its country code
    elif digits.startswith("0") and not digits.startswith("00"):
        out.add("86" + digits[1:])           # 021 5432 1000 written +86 21 5432 1000
    for d in list(out):
        if d.startswith("0") and len(d) >= 10:  # a landline: 0 + 2-3 digit area code + 7-8 digit number
            area = 3 if d[1] in "12" else 4
            if len(d) - area >= MIN_DIGITS:
                out.add(d[area:])
    return out


@dataclasses.dataclass
class Secrets:
    """The normalised names and contacts to mask: text (names, e-mails, other contact words) and phone digits."""

    texts: set[str] = dataclasses.field(default_factory=set)
    phones: set[str] = dataclasses.field(default_factory=set)   # >= MIN_DIGITS: found inside digit runs
    exact_numbers: set[str] = dataclasses.field(default_factory=set)  # shorter: only a whole run
    literals: set[str] = dataclasses.field(default_factory=set)  # 张* as written: found in the source text

    def add_name(self, name: str) -> None:
        v = fold(name).strip()
        if len(v) >= MIN_NAME:
            self.texts.add(v)
            if " " in v:
                self.texts.add(v.replace(" ", ""))  # Wang Lei written WangLei or Wang_Lei
        elif len(name.strip()) >= MIN_NAME and v:
            # masked the guide's way (张*, 李**): its view is one character, too short to look for;
            # the name as written is looked for instead, so the site still never shows it
            self.literals.add(unicodedata.normalize("NFKC", name.strip()))

    def add_contact(self, contact: str) -> None:
        v = fold(contact).strip()
        if not v:
            return
        rest = v
        for m in _EMAIL.finditer(v):
            self.texts.add(m.group(0))
            rest = rest.replace(m.group(0), " ")
        for m in _DIGIT_RUN.finditer(rest):
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) >= MIN_DIGITS:
                self.phones |= phone_variants(digits)
            elif len(digits) >= MIN_EXACT_DIGITS:
                self.exact_numbers.add(digits)
        words = [w for w in re.split(r"[\s,;:/|，；：、]+", rest) if w]
        for w in words:  # a WeChat id, a handle: any word of the contact that is not a label or a number
            if w not in _LABELS and not re.fullmatch(r"[\d+\-.()]+", w) and len(w) >= 4:
                self.texts.add(w.strip("()[]"))
        if len(v) >= MIN_NAME and not _EMAIL.fullmatch(v) and not re.fullmatch(r"[\d\s+\-.()/]+", v):
            self.texts.add(v)  # the contact as a whole, when it is neither just a number nor just an address

    def __bool__(self) -> bool:
        return bool(self.texts or self.phones or self.exact_numbers or self.literals)


def _automaton(words: list[str]) -> Any:
    """An Aho-Corasick automaton over `words` (None for a few: str.find is quicker to set up)."""
    if len(words) <= 8:
        return None
    import ahocorasick  # C automaton: 100,000 customers still cost one pass over each text

    automaton = ahocorasick.Automaton()
    for w in words:
        automaton.add_word(w, w)
    automaton.make_automaton()
    return automaton


def _hits(text: str, words: list[str], automaton: Any) -> Iterator[tuple[int, int]]:
    if automaton is not None:
        for end, word in automaton.iter(text):
            yield end + 1 - len(word), end + 1
        return
    for word in words:
        i = text.find(word)
        while i >= 0:
            yield i, i + len(word)
            i = text.find(word, i + 1)


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Finder:
    """Finds every secret in a view: one Aho-Corasick pass for the texts, one regex pass for the numbers."""

    def __init__(self, secrets: Secrets) -> None:
        self.secrets = secrets
        self.lengths = sorted({len(p) for p in secrets.phones}, reverse=True)
        self.texts = sorted(secrets.texts)
        self.automaton = _automaton(self.texts)
        self.literals = sorted(secrets.literals)
        self.literal_automaton = _automaton(self.literals)

    def _text_hits(self, v: str) -> Iterator[tuple[int, int]]:
        return _hits(v, self.texts, self.automaton)

    def literal_spans(self, text: str) -> list[tuple[int, int]]:
        """[start, end) spans of the source text that hold a name as written (张*)."""
        return list(_hits(text, self.literals, self.literal_automaton)) if self.literals else []

    def spans(self, v: str) -> list[tuple[int, int]]:
        """[start, end) spans of `v` (a normalised view) that hold a secret."""
        found: list[tuple[int, int]] = []
        for a, b in self._text_hits(v):
            # a Latin name or address must not be part of a longer word: "Li" is not in "Linux"
            if (_alnum(v[a]) and a > 0 and _alnum(v[a - 1])) or (_alnum(v[b - 1]) and b < len(v) and _alnum(v[b])):
                continue
            found.append((a, b))
        if self.secrets.phones or self.secrets.exact_numbers:
            for m in _LONG_RUN.finditer(v):
                found.extend(self._number_hits(m))
        return found

    def _number_hits(self, m: re.Match[str]) -> Iterator[tuple[int, int]]:
        run = m.group(0)
        positions = [m.start() + i for i, c in enumerate(run) if c.isdigit()]
        digits = "".join(run[i - m.start()] for i in positions)
        if digits in self.secrets.exact_numbers:
            yield positions[0], positions[-1] + 1
        if len(digits) < MIN_DIGITS:
            return
        i = 0
        while i < len(digits):
            for n in self.lengths:
                if i + n <= len(digits) and digits[i:i + n] in self.secrets.phones:
                    yield positions[i], positions[i + n - 1] + 1
                    i += n - 1
                    break
            i += 1


# --- masking --------------------------------------------------------------------------------------------------------

class Masker:
    """Masks customer names and contacts in every text the site publishes."""

    def __init__(self, secrets: Secrets, language: str = "zh") -> None:
        self.finder = Finder(secrets)
        self.mask = MASKS.get(language, MASKS["en"])
        self.active = bool(secrets)

    @classmethod
    def of(cls, archive: Archive, language: str = "zh") -> "Masker":
        """A masker for the names and contacts of every ticket's customer in `archive`."""
        secrets = Secrets()
        for t in archive.tickets.values():
            name, contact = t.customer.get("name"), t.customer.get("contact")
            if isinstance(name, str):
                secrets.add_name(name)
            if isinstance(contact, str):
                secrets.add_contact(contact)
        return cls(secrets, language)

    def text(self, text: str) -> str:
        """`text` with every source span that normalises to a secret replaced by the mask."""
        if not self.active or not text:
            return text
        found = self.finder.spans(fold(text))
        literal = self.finder.literal_spans(text)
        if not found and not literal:
            return text
        if found and "\n\n" in text and len(text) > 400:
            # the exact view costs a Python step per character: make it only for the paragraphs that
            # hold a hit (a name does not span paragraphs)
            return "\n\n".join(self.text(part) for part in text.split("\n\n"))
        spans = literal
        if found:
            _, starts, ends = view(text)
            spans += [(starts[a], ends[b - 1]) for a, b in found]
        spans.sort()
        out: list[str] = []
        last = 0
        for a, b in _merged(spans):
            out.append(text[last:a])
            out.append(self.mask)
            last = b
        out.append(text[last:])
        return "".join(out)

    def path(self, relpath: str) -> str:
        """A docs-relative file path with its parts masked (an image named after the customer)."""
        return "/".join(self.text(part) for part in relpath.split("/"))

    def value(self, value: Any) -> Any:
        """Text, lists and mappings of text (custom fields, verification), masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def ticket(self, t: Ticket) -> Ticket:
        """The ticket as published: name and contact dropped, every other text masked."""
        m, opt = self.text, self._optional
        customer = {"department": m(t.customer["department"])} if t.customer.get("department") else {}
        return dataclasses.replace(
            t, title=m(t.title), source=opt(t.source), customer=customer,
            environment={k: m(v) for k, v in t.environment.items()}, assignee=opt(t.assignee),
            escalated_to=opt(t.escalated_to), tags=[m(x) for x in t.tags], solution=opt(t.solution),
            feedback=opt(t.feedback), log=[LogEntry(e.at, m(e.by), m(e.action)) for e in t.log],
            backup=opt(t.backup), verification=self.value(t.verification), extra=self.value(t.extra), body=m(t.body))

    def article(self, a: Article) -> Article:
        m = self.text
        return dataclasses.replace(a, title=m(a.title), tags=[m(x) for x in a.tags],
                                   applies_to=self.value(a.applies_to), owner=self._optional(a.owner),
                                   extra=self.value(a.extra), body=m(a.body))

    def published(self, archive: Archive) -> Archive:
        """The archive as the site may show it (ids, dates, links and problems unchanged)."""
        return dataclasses.replace(archive, tickets={k: self.ticket(t) for k, t in archive.tickets.items()},
                                   articles={k: self.article(a) for k, a in archive.articles.items()})

    def _optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)


def _merged(spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Sorted spans with overlapping and touching ones joined."""
    current: tuple[int, int] | None = None
    for a, b in spans:
        if current is not None and a <= current[1]:
            current = (current[0], max(current[1], b))
            continue
        if current is not None:
            yield current
        current = (a, b)
    if current is not None:
        yield current


# --- the privacy lint: what looks like someone's personal data ------------------------------------------------------

_SEP = r"[ \-\u2010-\u2015\u2212\u00a0\u200b-\u200d\u2060\ufeff]"
_EMAIL_AT = re.compile(r"[0-9A-Za-z][0-9A-Za-z._%+\\-]*@[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*\.[A-Za-z]{2,}", re.ASCII)
# the same, read in linear time (the pattern rescans a long run of letters from each of its characters)
_EMAILS = AtSign(r"0-9A-Za-z._%+\\-", r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*\.[A-Za-z]{2,}", first="0-9A-Za-z", flags=re.ASCII)
NUMBERS = re.compile(
    r"(?P<id>[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dXx]))"
    rf"|(?P<mobile>(?:(?:\+|00)?86{_SEP}?)?1[3-9](?:{_SEP}?[0-9]){{9}}(?![0-9]))"
    rf"|(?P<landline>(?:[(（]0\d{{2,3}}[)）]{_SEP}?|0\d{{2,3}}{_SEP}?|(?:\+|00)86{_SEP}?[1-9]\d{{1,2}}{_SEP}?)"
    rf"[2-9]\d{{2,3}}{_SEP}?\d{{4}}(?![0-9]))", re.ASCII)
# Where a number may be: a run of 7 or more digits and separators. It starts with a character class, so
# the regex engine skips the rest of a body at C speed; only these few places get the full patterns.
_CANDIDATE = re.compile(rf"[0-9](?:{_SEP}?[0-9]){{6,}}[Xx]?", re.ASCII)
# full-width digits, letters and @ . ( ) + - and the ideographic space, one for one (offsets stay true)
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# only what can be part of a number or address: full-width commas and brackets are everywhere in Chinese
_WIDE = re.compile("[\uff10-\uff19\uff20-\uff3a\uff41-\uff5a\uff0b\uff0d\uff0e]")
# one scan that most texts fail: a run of seven digits, full-width ones too (one character class
# first, so the regex engine skips to the next digit at C speed; an alternation would not)
_FIRST_LOOK = re.compile(rf"[0-9\uff10-\uff19](?:{_SEP}?[0-9\uff10-\uff19]){{6,}}")
_BEFORE = {"email": frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._%+-\\"),
           "id": frozenset("0123456789"), "mobile": frozenset("0123456789+"), "landline": frozenset("0123456789+")}
KIND_LABELS = {"email": "an e-mail address", "id": "an ID-card number", "mobile": "a mobile phone number",
               "landline": "a phone number with area code"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_EXAMPLE_DOMAINS = re.compile(r"@(?:[a-z0-9-]+\.)*(?:example\.(?:com|org|net)|[a-z0-9-]+\.(?:example|test|invalid|localhost))$")


def _id_card_ok(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check digit of a mainland resident ID number."""
    digits = unicodedata.normalize("NFKC", number).upper()
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == digits[17]


def key_of(kind: str, found: str) -> str:
    """The comparable form of a finding: digits of a number, the lower-case folded address."""
    if kind == "email":
        return fold(found).strip()
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", found)).upper() if kind != "id" else \
        unicodedata.normalize("NFKC", found).upper()


@lru_cache(maxsize=8)
def allowed_keys(allow: tuple[str, ...]) -> frozenset[str]:
    """The `privacy_allow` setting, normalised: digits of numbers, folded addresses and text."""
    keys: set[str] = set()
    for value in allow:
        text = str(value)
        keys.add(fold(text).strip())
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
        if len(digits) >= MIN_EXACT_DIGITS:
            keys |= phone_variants(digits)
    return frozenset(keys)


def personal_data(text: str) -> list[tuple[int, str, str]]:
    """(offset, kind, text found) of everything in `text` that looks like a person's contact or ID number.

    Full-width forms count (`１３８…`, `＠`); zero-width characters and dashes between digits too.
    """
    if not text or ("@" not in text and "＠" not in text and _FIRST_LOOK.search(text) is None):
        return []
    if _WIDE.search(text):
        text = text.translate(_NARROW)
    found: list[tuple[int, str, str]] = []
    if "@" in text:
        found += [(start, "email", text[start:end]) for start, end in _EMAILS.spans(text)]
    last = -1
    for c in _CANDIDATE.finditer(text):
        start = max(c.start() - 8, last)  # room for "(0755) " or "+86 " before the digits
        for m in NUMBERS.finditer(text, start, c.end() + 1):
            found.append((m.start(), m.lastgroup or "", m.group(0)))
            last = m.end()
    if not found:
        return found
    out = []
    for offset, kind, value in sorted(found):
        if offset and text[offset - 1] in _BEFORE[kind]:
            continue  # the middle of a longer number or address
        if kind == "id" and not _id_card_ok(value):
            continue
        if kind == "email" and _EXAMPLE_DOMAINS.search(fold(value)):
            continue  # RFC 2606 documentation addresses
        out.append((offset, kind, value))
    return out


def own_keys(customer: dict[str, Any]) -> frozenset[str]:
    """The comparable forms of a ticket's own customer data (masked on the site, so not warned about)."""
    keys: set[str] = set()
    contact = customer.get("contact")
    if isinstance(contact, str):
        for _, kind, found in personal_data(contact):
            k = key_of(kind, found)
            keys |= phone_variants(k) if kind in ("mobile", "landline") else {k}
    return frozenset(keys)


def is_known(kind: str, found: str, *key_sets: frozenset[str]) -> bool:
    """Whether a finding is the ticket's own customer data or listed in `privacy_allow`."""
    key = key_of(kind, found)
    candidates = phone_variants(key) if kind in ("mobile", "landline") else {key}
    return any(candidates & keys for keys in key_sets)


def tags_holding_customer(tags: list[str], customer: dict[str, Any]) -> list[int]:
    """Indexes of the tags that hold the customer's name or contact (compared normalised)."""
    if not _may_hold_customer(tags, customer):
        return []
    secrets = Secrets()
    if isinstance(customer.get("name"), str):
        secrets.add_name(customer["name"])
    if isinstance(customer.get("contact"), str):
        secrets.add_contact(customer["contact"])
    if not secrets:
        return []
    finder = Finder(secrets)
    return [i for i, tag in enumerate(tags) if finder.spans(fold(tag)) or finder.literal_spans(tag)]


def _may_hold_customer(tags: list[str], customer: dict[str, Any]) -> bool:
    """A quick look for validate (run on every ticket): could any tag hold the name or contact at all?

    Without anything that normalises to something else (references, escapes, full-width or invisible
    characters), a tag can only hold the name if it shares a character with it."""
    raw = "\n".join(tags).lower()
    odd = _ODD.search(raw) is not None
    name, contact = customer.get("name"), customer.get("contact")
    if isinstance(name, str) and name.strip():
        if odd or any(ch in raw for ch in name.strip().lower() if ch not in " *"):
            folded = _fold_cached(name).strip().replace(" ", "")
            joined = "\n".join([_fold_cached(t) for t in tags]).replace(" ", "")
            if folded in joined or name.strip() in "\n".join(tags):
                return True
    if isinstance(contact, str) and contact.strip():
        if odd or "@" in raw or _FIVE_DIGITS.search(raw):
            return True
        return any(w in raw for w in contact.lower().split() if len(w) >= 4)
    return False


_ODD = re.compile("[&%\\\u00ad\u034f\u115f\u1160\u180e\u200b-\u206f\u2e80-\u2fdf\u3164\u3200-\u33ff"
                  "\uf900-\ufaff\ufe00-\ufe0f\ufeff\uff00-\uffef]")
_fold_cached = lru_cache(maxsize=65536)(fold)  # tags and names repeat across an archive


_FIVE_DIGITS = re.compile(r"\d(?:[ \-.()/]{0,2}\d){4}")


def redacted(found: str) -> str:
    """A finding as a message shows it: enough to find it in the file, not the whole number."""
    text = found.strip()
    if len(text) <= 6:
        return "…"
    return f"{text[:3]}…{text[-2:]}"
