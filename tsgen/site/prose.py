"""A document's Markdown (a ticket's narrative, a KB article's body) -> sanitized HTML, laid out for MkDocs.

tsgen converts the text itself, with Python-Markdown and the `markdown_extensions` of the archive's
mkdocs.yml (read the way MkDocs reads them), so the result looks as it would in MkDocs: tables,
admonitions, details, code blocks highlighted by Pygments, `{#anchor}` ids. Raw HTML in the text is
shown as text (Python-Markdown's own HTML block and inline HTML handlers are switched off). The HTML
then passes the allow-list of `site/sanitize.py`, which sees the final HTML: no event handler, no
script, no `javascript:` URL can survive, whatever the Markdown parser made of the text.

The page gets that HTML as raw HTML blocks, which MkDocs (and Zensical, or a plain
`mkdocs build -f .tsgen/mkdocs.yml`) passes through unchanged; only the top-level headings are
written as Markdown headings of plain, entity-encoded text (with an author's `{#id}` when attr_list is on),
so the theme's table of contents and the search index's sections stay as they were. Relative links
and image paths are rewritten by tsgen (MkDocs rewrites only links it converted itself).
"""

from __future__ import annotations

import html
import re
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from tsgen.errors import BuildError
from tsgen.site import highlighting
from tsgen.site.sanitize import sanitize
from tsgen.templating import md_inline

# MkDocs always adds these (mkdocs/config/defaults.py: markdown_extensions builtins)
BUILTINS = ["toc", "tables", "fenced_code"]
# tsgen's generated configuration when an archive has no mkdocs.yml (site/mkdocs.py)
DEFAULT_EXTENSIONS = ["tables", "admonition", "attr_list", "md_in_html"]

Link = Callable[[str], str]

# nh3 writes canonical HTML: lower-case names, every attribute value double-quoted with `"`, `<`
# and `>` escaped, every element but the void ones closed. Its tags can be read with one pattern.
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s"=>/]+(?:="[^"]*")?)*)\s*>')
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ID = re.compile(r'\sid="([^"]*)"')
_SAFE_ID = re.compile(r"[\w\-.:]+")
_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
# In the HTML blocks: what a Markdown preprocessor of the second pass (MkDocs') might take for syntax
# (fences, critic marks) is written as a character reference, which means the same in HTML.
_INERT = str.maketrans({"`": "&#96;", "~": "&#126;", "{": "&#123;", "}": "&#125;"})


# The longest one text may take to convert. A real article converts in milliseconds; Python-Markdown's
# worst cases are quadratic (8,000 unclosed `![` take 90 s), so the bound only ever cuts those short.
CONVERT_SECONDS = 10.0


class _Overrun(Exception):
    """A conversion ran past CONVERT_SECONDS."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _Overrun inside the block once `seconds` have passed (a real-time timer: main thread only;
    elsewhere, e.g. in a server thread, the block runs unbounded)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def overrun(_signum: int, _frame: Any) -> None:
        raise _Overrun()

    previous = signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Links(Treeprocessor):
    """Rewrites relative `href`/`src` like MkDocs' _RelativePathTreeprocessor, through the page's `link`."""

    link: Link | None = None

    def run(self, root: Any) -> None:
        if self.link is None:
            return
        for el in root.iter():
            key = "href" if el.tag == "a" else "src" if el.tag == "img" else None
            if key and el.get(key) is not None:
                el.set(key, self.link(el.get(key)))


def markdown_settings(mkdocs_yml: Path | None) -> tuple[list[Any], dict[str, Any]]:
    """(extensions, their configs) as MkDocs reads them from mkdocs.yml (INHERIT and !!python/name included)."""
    if mkdocs_yml is None or not mkdocs_yml.is_file():
        return list(dict.fromkeys(BUILTINS + DEFAULT_EXTENSIONS)), {}
    from mkdocs.config.config_options import MarkdownExtensions
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(mkdocs_yml, "rb") as fd:
            raw = yaml_load(fd)
        option = MarkdownExtensions(builtins=BUILTINS)
        extensions = option.validate(raw.get("markdown_extensions") or [])
    except (ConfigurationError, Exception) as exc:  # MkDocs' ValidationError is not a ConfigurationError
        raise BuildError(f"{mkdocs_yml}: markdown_extensions: {exc}") from exc
    return extensions, dict(option.configdata)


class Prose:
    """Converts document text to sanitized HTML with one Markdown instance for the whole build."""

    def __init__(self, extensions: list[Any], configs: dict[str, Any]) -> None:
        highlighting.install()  # one Pygments lexer per language and stylesheet per style, not per block
        try:
            self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        except Exception as exc:  # an extension failing to load is a configuration problem
            raise BuildError(f"markdown_extensions: {exc}") from exc
        for name in ("html_block",):  # raw HTML in a document is text (md_in_html registers the same name)
            if name in self.md.preprocessors:
                self.md.preprocessors.deregister(name)
        if "html" in self.md.inlinePatterns:
            self.md.inlinePatterns.deregister("html")
        # The top-level headings are written out again as Markdown: MkDocs' own toc gives them their ids,
        # permalinks and baselevel, as it always did. Running toc here too cost a quarter of the conversion.
        if "toc" in self.md.treeprocessors:
            self.md.treeprocessors.deregister("toc")
        self.links = _Links(self.md)
        self.md.treeprocessors.register(self.links, "tsgen_links", 1)  # after inline (20), before unescaping (0)
        names = {e if isinstance(e, str) else type(e).__module__ for e in extensions}
        self.attr_list = bool(names & {"attr_list", "markdown.extensions.attr_list"})
        self.unformatted: list[tuple[str, str]] = []  # (source, why) of texts shown unformatted

    @classmethod
    def for_site(cls, mkdocs_yml: Path | None) -> "Prose":
        return cls(*markdown_settings(mkdocs_yml))

    def html(self, text: str, link: Link | None = None, source: str = "") -> str:
        """The text as sanitized HTML (relative URLs passed through `link` first).

        A text Python-Markdown cannot convert in bounded time or depth (thousands of unclosed `[` or
        `![` are quadratic in it; thousands of nested list markers exhaust the recursion limit) is
        shown as plain preformatted text instead, and `source` is named in `self.unformatted`: one
        hostile body must not stall or break the build of every other page."""
        self.md.reset()
        self.links.link = link
        try:
            with _deadline(CONVERT_SECONDS):
                out = self.md.convert(text)
        except (RecursionError, _Overrun) as exc:
            self.md.reset()
            why = "too deeply nested" if isinstance(exc, RecursionError) else f"took over {CONVERT_SECONDS:g} s"
            self.unformatted.append((source, why))
            out = f'<pre class="tsgen-unformatted"><code>{html.escape(text, quote=False)}</code></pre>'
        finally:
            self.links.link = None
        return sanitize(out)

    def page(self, text: str, link: Link | None = None, demote: bool = False,
             parts: list[str] | None = None, source: str = "") -> Markup:
        """The text as page content for MkDocs: Markdown headings and raw HTML blocks (see the module).

        With `parts`, each block between the headings is appended there instead and the page holds
        a marker in its place (see `layout`)."""
        out = self.html(text, link, source)
        if demote:  # the narrative nests under the page's own section
            out = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", out)
        return Markup(layout(out, self.attr_list, parts))


def marker(number: int) -> str:
    """What stands in the page's Markdown for its `number`th HTML part (1-based): an HTML comment, which
    Python-Markdown passes through as it is and nh3 never lets through from a text."""
    return f"<!--tsgen-part-{number}-->"


def inline_parts(text: str, blocks: list[str]) -> str:
    """A page's markers replaced by their blocks as raw HTML for Markdown (as `layout` without `blocks`
    writes them): for a page template of the archive's own that does not hand `tsgen_parts` to the theme."""
    for number, block in enumerate(blocks, 1):
        text = text.replace(marker(number), block.translate(_INERT), 1)
    return text


def layout(sanitized: str, attr_list: bool, blocks: list[str] | None = None) -> str:
    """Sanitized HTML as Markdown: its top-level headings as headings, everything between as raw blocks.

    With `blocks` (a list), each block between the headings goes there, as sanitized HTML, and the
    Markdown holds only its marker: MkDocs then parses nothing but the headings (which give the table of
    contents its entries and the headings their ids and permalinks), and templates/theme/main.html
    puts each block in place of its marker (front matter `tsgen_parts`). Python-Markdown parsing the
    blocks again with `html.parser` cost MkDocs as much as converting the bodies had cost tsgen."""
    parts: list[str] = []
    depth, pos, start = 0, 0, -1
    for m in _TAG.finditer(sanitized):
        closing, name = m.group(1), m.group(2)
        if name in _VOID:
            continue
        if not closing:
            if depth == 0 and name in _HEADINGS:
                _block(parts, sanitized[pos:m.start()], blocks)
                start = m.start()
            depth += 1
            continue
        depth -= 1
        if depth == 0 and name in _HEADINGS and start >= 0:
            parts.append(_heading(sanitized[start:m.end()], int(name[1]), attr_list))
            pos, start = m.end(), -1
    _block(parts, sanitized[pos:], blocks)
    return "\n\n".join(parts) + "\n"


def _block(parts: list[str], chunk: str, blocks: list[str] | None = None) -> None:
    chunk = chunk.strip()
    if not chunk:
        return
    if blocks is None:
        parts.append('<div class="tsgen-prose">\n' + chunk.translate(_INERT) + "\n</div>")
    else:  # never seen by Markdown: no character needs to be made inert
        blocks.append('<div class="tsgen-prose">\n' + chunk + "\n</div>")
        parts.append(marker(len(blocks)))


def _heading(element: str, level: int, attr_list: bool) -> str:
    start = _TAG.match(element)
    assert start is not None
    inner = element[start.end():element.rindex("<")]
    text = " ".join(html.unescape(_TAG.sub("", inner)).split())
    if not text:
        return '<div class="tsgen-prose">\n' + element.translate(_INERT) + "\n</div>"
    line = "#" * level + " " + str(md_inline(text))
    found = _ID.search(start.group(0))
    anchor = html.unescape(found.group(1)) if found else ""
    if attr_list and _SAFE_ID.fullmatch(anchor):
        line += " {#" + anchor + "}"
    return line
