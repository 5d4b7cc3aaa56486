"""Code blocks highlighted by Pygments (through pymdownx.highlight) without redoing per block what is the
same for every block.

pymdownx.highlight makes a new Pygments lexer and a new HTML formatter for each code block. Looking a
lexer up by name scans Pygments' whole table of lexers, and a new formatter rebuilds the stylesheet of
its style (a CSS class and a style for each of some 80 token types): together about 0.3 ms a block, a
few CPU-seconds for the 12,000 code blocks of 10,000 tickets, for results that depend only on the
language and on the style. Sphinx keeps one lexer per language and one formatter for a whole build
(sphinx.highlighting) for the same reason.

Here each (language, lexer options) gets one lexer, reused (a Pygments lexer keeps nothing between
texts but its options), and each (style, class prefix) one stylesheet, shared by the formatters of
that style (they only read it). Every block still gets its own formatter, with its own options (its
highlighted lines, title, line numbers), so the HTML is the one pymdownx writes without this: a test
compares them.

It is installed by replacing three names in the `pymdownx.highlight` module: the lexer lookup and the
two formatter classes it picks from for each block. All are looked up there at each block, so
every Markdown instance in the process (tsgen's and MkDocs') gets them; where a later pymdownx
renames them, nothing is replaced and highlighting works as before, only slower.
"""

from __future__ import annotations

from typing import Any

_LEXERS: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}    # (name, options) -> lexer, None: unknown
_SHEETS: dict[tuple[Any, str], tuple[dict[Any, str], dict[str, Any]]] = {}  # (style, classprefix) -> sheet
REPLACED: dict[str, Any] = {}  # pymdownx.highlight's own, by name, once install() replaced them


def install() -> None:
    """Make pymdownx.highlight reuse lexers and stylesheets (idempotent)."""
    try:
        from pymdownx import highlight
    except ImportError:  # no pymdownx: nothing highlights with it
        return
    if getattr(highlight, "_tsgen_reuses", False):
        return
    names = ("get_lexer_by_name", "BlockHtmlFormatter", "InlineHtmlFormatter")
    if not all(hasattr(highlight, name) for name in names):
        return
    from pygments.util import ClassNotFound

    REPLACED.update((name, getattr(highlight, name)) for name in names)
    lookup = REPLACED["get_lexer_by_name"]

    def get_lexer_by_name(name: str, **options: Any) -> Any:
        try:
            key = (name, tuple(sorted(options.items())))
            hash(key)
        except TypeError:  # an option of an unhashable value (extend_pygments_lang): looked up each time
            return lookup(name, **options)
        if key not in _LEXERS:
            try:
                _LEXERS[key] = lookup(name, **options)
            except ClassNotFound:  # remembered too: a language Pygments does not know ("log") recurs
                _LEXERS[key] = None
        lexer = _LEXERS[key]
        if lexer is None:
            raise ClassNotFound(f"no lexer for alias {name!r} found")  # Pygments' own message
        return lexer

    highlight.get_lexer_by_name = get_lexer_by_name
    highlight.BlockHtmlFormatter = _shared_sheet(highlight.BlockHtmlFormatter)
    highlight.InlineHtmlFormatter = _shared_sheet(highlight.InlineHtmlFormatter)
    highlight._tsgen_reuses = True


def _shared_sheet(formatter: type) -> type:
    """A subclass of a Pygments HtmlFormatter whose stylesheet is built once per style and class prefix."""

    def _create_stylesheet(self: Any) -> None:
        key = (self.style, self.classprefix)
        sheet = _SHEETS.get(key)
        if sheet is None:
            formatter._create_stylesheet(self)
            sheet = _SHEETS[key] = (self.ttype2class, self.class2style)
        self.ttype2class, self.class2style = sheet

    return type(formatter.__name__, (formatter,), {"_create_stylesheet": _create_stylesheet,
                                                   "__module__": formatter.__module__})
