"""The allow-list that every HTML made from a document's text passes before it reaches a reader.

`sanitize(html)` is the one entry point. It runs nh3 (Rust's ammonia) with an explicit list of the
tags, attributes and classes that Python-Markdown and the extensions a support team uses produce —
tables, admonitions, details, footnotes, task lists, tabs, code highlighted by Pygments — and
nothing else: no `on*` attribute, no `style` but `text-align`, no URL in `href`/`src` but http,
https, mailto and relative ones, no script, style, iframe, object, embed, form, svg or math (those
are dropped with their content). It sees the final HTML, so it does not matter how Markdown parsed
the text on the way there (ammonia's model: https://github.com/rust-ammonia/ammonia).
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3

_INLINE = {"a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd", "mark", "q",
           "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}
_BLOCK = {"blockquote", "caption", "col", "colgroup", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "summary", "table", "tbody", "td",
          "tfoot", "th", "thead", "tr", "ul", "label", "input"}
TAGS = frozenset(_INLINE | _BLOCK)

# Dropped together with what they hold (their text is no reader's business either).
DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "frame", "frameset", "noscript", "noembed",
                     "noframes", "template", "svg", "math", "xmp", "textarea", "select", "option", "title",
                     "form", "button", "applet", "audio", "video", "canvas", "portal", "fencedframe"})

_ALL = {"id", "title", "lang", "dir"}  # class: only the listed ones (allowed_classes)
ATTRIBUTES: dict[str, set[str]] = {
    "*": _ALL,
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "abbr": set(), "time": {"datetime"},
    "ol": {"start", "type", "reversed"}, "li": {"value"},
    "td": {"colspan", "rowspan", "align", "style"}, "th": {"colspan", "rowspan", "align", "style", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "details": {"open"},
    "div": {"data-tabs"},  # pymdownx.tabbed
    "input": {"checked", "disabled", "name"},  # and `type`, by value below:  # task-list checkboxes, tabbed radio buttons
    "label": {"for"},
    "span": {"data-linenos"},  # pymdownx.highlight's inline line numbers
    "del": {"datetime"}, "ins": {"datetime"}, "q": {"cite"}, "blockquote": {"cite"},
}
# `input` only as the inert controls Markdown extensions make (never text, files, submit buttons)
TAG_ATTRIBUTE_VALUES = {"input": {"type": {"checkbox", "radio"}}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
STYLE_PROPERTIES = frozenset({"text-align"})  # what the tables extension writes; never url(), never layout

# Material's admonition and details types (https://squidfunk.github.io/mkdocs-material/reference/admonitions/)
ADMONITIONS = frozenset({
    "note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success", "check", "done",
    "question", "help", "faq", "warning", "caution", "attention", "failure", "fail", "missing", "danger", "error",
    "bug", "example", "quote", "cite", "inline", "end"})


@lru_cache(maxsize=1)
def _pygments_classes() -> frozenset[str]:
    """The short CSS classes Pygments' HTML formatter puts on tokens (k, nf, s2, ...)."""
    try:
        from pygments.token import STANDARD_TYPES
    except ImportError:  # pragma: no cover - Pygments comes with Material
        return frozenset()
    return frozenset(c for c in STANDARD_TYPES.values() if c)


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    """`language-xxx` classes pymdownx.highlight puts on code blocks, for every Pygments lexer alias."""
    try:
        from pygments.lexers import get_all_lexers
    except ImportError:  # pragma: no cover
        return frozenset()
    return frozenset(f"language-{alias}" for _name, aliases, _f, _m in get_all_lexers() for alias in aliases)


def allowed_classes() -> dict[str, set[str]]:
    """Per tag, the classes Markdown and its extensions produce; any other class is removed."""
    code = {"highlight", *_languages()}
    tokens = {*_pygments_classes(), "hll", "normal", "filename", "linenos", "special"}
    return {
        "div": {"admonition", *ADMONITIONS, "highlight", *_languages(), "footnote", "linenodiv", "tabbed-set",
                "tabbed-alternate", "tabbed-content", "tabbed-block", "tabbed-labels", "arithmatex"},
        "details": set(ADMONITIONS),
        "p": {"admonition-title"},
        "code": code,
        "pre": {"highlight", "tsgen-unformatted"},  # site/prose.py: a text shown unconverted
        "span": tokens | {"linenos", "critic", "arithmatex"},
        "table": {"highlighttable"},
        "td": {"linenos", "code"},
        "th": {"filename"},
        "a": {"footnote-ref", "footnote-backref", "headerlink", "magiclink"},
        "li": {"task-list-item"},
        "ul": {"task-list"},
        "label": {"task-list-control"},
        "sup": set(),
        "ol": set(),
    }


_ODD_RELATIVE = re.compile(r"^[^/?#]*:|[\x00-\x20\x7f-\x9f]")


def _relative(url: str) -> str | None:
    """A relative URL is kept unless a browser or a person could read it as something else.

    A colon in the first path segment ("java script:...", "%6Aavascript:..."; RFC 3986 wants "./a:b") or any
    space or control character is no link an author meant, so the attribute is dropped.
    """
    return None if _ODD_RELATIVE.search(url) else url


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(DROPPED),
        attributes=attributes,
        tag_attribute_values={t: {a: set(v) for a, v in av.items()} for t, av in TAG_ATTRIBUTE_VALUES.items()},
        url_schemes=set(URL_SCHEMES),
        allowed_classes=allowed_classes(),
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
        url_relative=_relative,
        link_rel=None,  # no `target` is allowed, so no link can open a window that reaches back
    )


# Files beside the documents that are copied into the site. A browser opening an .html, .svg or .xml
# file from the site's own host would run the script inside it, so only inert types are published.
PUBLISHED_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".ico", ".tif", ".tiff",
    ".pdf", ".txt", ".log", ".csv", ".json", ".zip", ".gz", ".tgz", ".7z", ".rar",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".mp4", ".webm", ".mp3", ".wav"})


def sanitize(html: str) -> str:
    """HTML made from a document's text, reduced to what the allow-list keeps (see the module's docstring)."""
    return _cleaner().clean(html)
