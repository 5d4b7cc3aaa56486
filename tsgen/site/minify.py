"""Make the built HTML small enough for static hosting at 100,000 tickets, without changing what it shows.

MkDocs (or Zensical) writes site/; tsgen then rewrites each HTML page in place, outside the site
generator, so the pages stay those of a plain `mkdocs build` of .tsgen/mkdocs.yml, only smaller:

- `minify-html` (a maintained HTML/CSS minifier) drops the indentation, optional quotes and
  optional closing tags (a page of Material is about a fifth whitespace);
- Material's icons are inline SVG, the same ten or so on every page (logo, menu, the palette
  toggles, "back to top": about 500 bytes a page). Each becomes an empty `<svg viewBox=… class=…>`
  (so Material's own rules still size it) painted by a CSS mask: `assets/tsgen-icons.css`, one file
  for the whole site that the browser fetches once, holds each icon's drawing as a `data:` URL, so the
  icons show under `file://` too (an SVG `<use>` of another file, or `fetch()`, is refused there).
  Only the exact form Material writes for an icon (an `<svg>` with xmlns and viewBox holding only
  `<path d>` elements) is replaced; charts and anything else stay as they are. Text from tickets
  never reaches here as markup (it is escaped);
- the theme's own inline scripts outside the article (Material's storage helpers in the head, the
  palette switch, the tab anchor script: about 1.4 KB a page) become `<script src>` of one file
  each, `assets/tsgen-theme-<hash>.js`, loaded at the same place (synchronously, so they run as
  before) and cached;
- Material's `__config` JSON is written again without `\\uXXXX` escapes of Chinese text, and
  without the texts of Material's own search box when the page has none (tsgen's search replaces it).
- the parts of Material's chrome that are the same on thousands of pages and do nothing without
  JavaScript, or that repeat the whole site's navigation on a page outside it, are written in place by
  a script of one shared file (as rustdoc writes its sidebars from `sidebar-items.js`): the `__config`
  JSON with the dialog before it (Material reads both from the page when its bundle starts, after
  these scripts have run), the "back to top" button (hidden until Material's script shows it), and the
  primary navigation of a page that is not in the navigation (every ticket and article page: 1.2 KB of
  the same links, once in the browser's cache), and a ticket page's table of contents (the guide's
  sections, the same on almost every ticket: one file each distinct one). A page in the navigation
  keeps its navigation inline, an article its table of contents; so does any part holding a character
  reference (left as written). Without JavaScript these pages show no left-hand navigation (nor a
  ticket its table of contents; the header's logo still leads home), as Material's palette switch and
  search do nothing without it;
- the indentation inside Material's navigation links (`<a class="md-nav__link"> <span class="md-ellipsis">
  标题 </span> </a>`) goes: those are flex boxes, which show no space at their edges;
- Material's `<meta name="generator">` goes (the site's config hides the generator notice too), so do
  an empty announcement bar and, on a page without content tabs, Material's script that ticks the tab
  a link points to.

The work runs in a child process (`python -m tsgen.site.minify SITE_DIR`, standard library and
minify-html only) that is fed the path of every page as soon as MkDocs has written it, so it
overlaps MkDocs' own work on the second core; `MinifyPages` is the parent's side.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

ICONS = "assets/tsgen-icons.css"   # the icons' masks, one rule a line
SCRIPTS = "assets/tsgen-theme-"     # + <hash>.js: the theme's inline scripts
TICKET_PAGES = "tickets/"           # the ticket pages in site/: their tables of contents are shared too
_ICON = re.compile(r'<svg xmlns="http://www\.w3\.org/2000/svg" viewBox="(0 0 \d+ \d+)">'
                   r'((?:<path d="[^"<>]*"/>)+)</svg>')
# (the patterns avoid `.*?` and `(?:(?!…).)*` over long stretches of a page: they test every character
# again; `[^<]*` runs skip to the next tag. The minifier's regular expressions took half its time.)
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)([^<]*(?:<(?!/script>)[^<]*)*)(</script>)')
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)   # an inline script without attributes
# Material's palette switch: a form that works only with JavaScript (its own script follows it)
_PALETTE = re.compile(r'<form class="md-header__option" data-md-component="palette">'
                      r'[^<]*(?:<(?!/?script|!--|/form>)[^<]*)*'
                      r'</form>\s*<script>([^<]*(?:<(?!/)[^<]*)*)</script>')
# the dialog and the config JSON after it, as Material's base.html writes them (the JSON already rewritten)
_TAIL = re.compile(r'<div class="md-dialog" data-md-component="dialog">\s*<div class="md-dialog__inner md-typeset">'
                   r'</div>\s*</div>\s*<script id="__config" type="application/json">[^<]*</script>')
_TOP = re.compile(r'<button type="button" class="md-top md-icon" data-md-component="top" hidden>'
                  r'(?:(?!</?(?:button|script)\b).)*</button>', re.S)
_NAV_START = '<nav class="md-nav md-nav--primary"'
_NAV_TAG = re.compile(r"<(/?)nav\b")
_NAV_LINK = re.compile(r'(<a [^<>]*class="md-nav__link[^"<>]*"[^<>]*>)\s*(<span class="md-ellipsis">)\s*([^<]*?)\s*'
                       r'(</span>)\s*(<span class="md-nav__icon md-icon"></span>)?\s*(</a>)')
_TOC_START = '<nav class="md-nav md-nav--secondary"'
_TOC_NESTED = re.compile(r'(</a>)\s+(<nav class="md-nav")')   # a link and its sub-list: blocks, no space between
_ELLIPSIS = re.compile(r'(<span class="md-ellipsis">)\s*([^<]*?)\s*(</span>)')
_ANNOUNCE = re.compile(r'<div data-md-component="announce">\s*</div>\s*')  # no announcement: nothing to mount
# Material's tab anchor script (partials/javascripts/content.html): it ticks the content tab a link points
# to, so on a page without content tabs it has nothing to do
_TABS = re.compile(r'<script>\s*var target=document\.getElementById\(location\.hash\.slice\(1\)\);'
                   r'target&&target\.name&&\(target\.checked=target\.name\.startsWith\("__tabbed_"\)\)\s*</script>\s*')
_GENERATOR = re.compile(r'<meta name="generator" content="mkdocs-[^"<>]*">\s*')
_HEAD_END = "</head>"
_SEARCH_BOX = 'data-md-component="search"'
ICON_BASE = ("background-color:currentcolor;-webkit-mask:var(--tsgen-i) center/contain no-repeat;"
             "mask:var(--tsgen-i) center/contain no-repeat")


# minify-html writes every character reference in its shortest form: `&lt;script&gt;` in a title
# becomes `<script>` (inside <title>, which is text) and `&lt;` in an attribute becomes `<`. Both are
# still text to a browser, but escaped text must stay visibly escaped in the published HTML (any
# check for markup from a ticket looks for `<`), so these references go through the minifier as
# private-use stand-ins and come back as written.
_ENTITY_OF = {"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;", "\ue003": "&quot;", "\ue004": "&#39;",
              "\ue005": "&#x27;", "\ue006": "&#60;", "\ue007": "&#x3C;", "\ue008": "&#x3c;"}
_MARK_OF = {v: k for k, v in _ENTITY_OF.items()}
_ESCAPE = re.compile("|".join(re.escape(e) for e in _MARK_OF))
_MARKS = re.compile("[\ue000-\ue008]")


def _marked(text: str) -> bool:
    """Whether `text` holds a stand-in (nine substring tests: far faster than a character class's scan)."""
    return any(mark in text for mark in _ENTITY_OF)


def _article(html: str) -> tuple[int, int]:
    """Where the page's first <article> element starts and ends (as `<article\\b.*?</article>`), or
    (len, len) when it has none."""
    opening, closing = "<article", "</article>"
    start = html.find(opening)
    while start >= 0:
        name_end = start + len(opening)
        after = html[name_end:name_end + 1]
        if not (after.isalnum() or after == "_"):  # `<article` is the whole name: the \b of the pattern
            end = html.find(closing, name_end)
            return (start, end + len(closing)) if end >= 0 else (len(html), len(html))
        start = html.find(opening, name_end)
    return len(html), len(html)


_WRITTEN: dict[str, tuple[str, str]] = {}  # a shared fragment's HTML -> (script path, script)
_PALETTES: dict[str, tuple[str, str]] = {}  # a palette switch's HTML -> (script path, script): the same on every page


def icon_id(drawing: str) -> str:
    return hashlib.sha1(drawing.encode("utf-8")).hexdigest()[:10]


def icon_rule(name: str, view_box: str, drawing: str) -> str:
    """The CSS line that paints one icon: its drawing as a data: URL (allowed under file:// too)."""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}">{drawing}</svg>'
    return f'.tsgen-i-{name}{{--tsgen-i:url("data:image/svg+xml,{quote(svg, safe=" =:/;,()")}")}}'


def compact(html: str, rel_path: str, icons: dict[str, str]) -> str:
    """One page made smaller; `rel_path` is its path in site/ (for the relative links of what it loads).

    The files the page now needs are added to `icons` (path in site/ -> text; the icons' CSS lines
    under ICONS, one line each, joined by `write_icons`).
    """
    import minify_html

    up = "../" * rel_path.count("/")
    painted = False

    def icon(m: re.Match[str]) -> str:
        nonlocal painted
        view_box, drawing = m.group(1), m.group(2)
        name = icon_id(view_box + drawing)
        if f"{ICONS}#{name}" not in icons:  # the same few icons on every page: the rule is made once
            icons[f"{ICONS}#{name}"] = icon_rule(name, view_box, drawing)
        painted = True
        return f'<svg viewBox="{view_box}" class="tsgen-i-{name}"></svg>'

    def script(m: re.Match[str]) -> str:
        code = m.group(1).strip()
        if len(code) < 100 or "</" in code or "<!--" in code:
            return m.group(0)
        path = f"{SCRIPTS}{icon_id(code)}.js"
        icons.setdefault(path, code + "\n")
        return f'<script src="{up}{path}"></script>'

    def palette(m: re.Match[str]) -> str:
        """The palette switch written by its own script, in the same place: it is the same on every
        page (900 bytes) and does nothing without JavaScript anyway."""
        known = _PALETTES.get(m.group(0))
        if known is not None:
            icons.setdefault(known[0], known[1])
            return f'<script src="{up}{known[0]}"></script>'
        form = minify_html.minify(m.group(0)[:m.start(1) - m.start(0)].rsplit("<script>", 1)[0].strip(),
                                  minify_css=True, minify_js=False)
        path, code = _writing_script(form, then=m.group(1).strip())
        icons.setdefault(path, code)
        if len(_PALETTES) < 64:
            _PALETTES[m.group(0)] = (path, code)
        return f'<script src="{up}{path}"></script>'

    def config(m: re.Match[str]) -> str:
        try:
            data = json.loads(m.group(2))
        except ValueError:
            return m.group(0)
        words = data.get("translations") if isinstance(data, dict) else None
        if isinstance(words, dict) and _SEARCH_BOX not in html:  # no Material search box on this page
            data["translations"] = {k: v for k, v in words.items() if not k.startswith("search.")}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return m.group(1) + text.replace("<", "\\u003c") + m.group(3)  # never a "</script>" inside

    def written(fragment: str) -> str:
        """`fragment` written in its place by a shared script (the same file for every page it occurs on)."""
        if "&" in fragment or _marked(fragment):
            return fragment  # character references: left to the minifier's care below
        known = _WRITTEN.get(fragment)  # the same fragment on thousands of pages: minified once
        if known is None:
            known = _writing_script(minify_html.minify(fragment, minify_css=True, minify_js=False))
            if len(_WRITTEN) < 4096:
                _WRITTEN[fragment] = known
        icons.setdefault(*known)
        return f'<script src="{up}{known[0]}"></script>'

    html = _ICON.sub(icon, html)
    if painted and _HEAD_END in html:
        html = html.replace(_HEAD_END, f'<link rel="stylesheet" href="{up}{ICONS}">{_HEAD_END}', 1)
    switch = _PALETTE.search(html)
    if switch and "&" not in switch.group(0).split("</form>", 1)[0]:  # character references: the minifier's care below
        html = html[:switch.start()] + palette(switch) + html[switch.end():]
    a, b = _article(html)  # the article is the page's own: only the theme's scripts move
    if "__tabbed_" not in html[a:b]:
        html = html[:b] + _TABS.sub("", html[b:], count=1)
    head, article, tail = _SCRIPT.sub(script, html[:a]), html[a:b], _SCRIPT.sub(script, html[b:])
    head, done = _CONFIG.subn(config, head, count=1)  # the first __config of the page (in the tail)
    if not done:
        article, done = _CONFIG.subn(config, article, count=1)
    if not done:
        tail = _CONFIG.sub(config, tail, count=1)
    head = _ANNOUNCE.sub("", _GENERATOR.sub("", head, count=1), count=1)
    head = _ELLIPSIS.sub(r"\1\2\3", _TOC_NESTED.sub(r"\1\2", _NAV_LINK.sub(_link, head)))
    start = head.find(_NAV_START)
    end = _balanced_end(head, start) if start >= 0 else -1
    if end > 0 and "--active" not in head[start:end]:  # a page outside the navigation (a ticket)
        head = head[:start] + written(head[start:end]) + head[end:]
        start = head.find(_TOC_START) if rel_path.startswith(TICKET_PAGES) else -1
        end = _balanced_end(head, start) if start >= 0 else -1
        if end > 0:  # a ticket's table of contents: the guide's sections, the same on almost every ticket
            head = head[:start] + written(head[start:end]) + head[end:]
    tail = _TOP.sub(lambda m: written(m.group(0)), tail, count=1)
    tail = _TAIL.sub(lambda m: written(m.group(0)), tail, count=1)
    html = head + article + tail
    if _marked(html):  # a page that already holds the stand-ins is left unminified (never seen)
        return html
    html = _ESCAPE.sub(lambda m: _MARK_OF[m.group(0)], html)
    html = minify_html.minify(html, minify_css=True, minify_js=False)
    return _MARKS.sub(lambda m: _ENTITY_OF[m.group(0)], html) if _marked(html) else html


def _writing_script(html: str, then: str | None = None) -> tuple[str, str]:
    """(path, text) of the shared script that writes `html` in its own place, then runs `then`: named by
    its hash, so every page holding the same HTML loads the same file."""
    code = ("document.currentScript.insertAdjacentHTML(\"beforebegin\","
            + json.dumps(html, ensure_ascii=False).replace("</", "<\\/") + ");"
            + ("" if then is None else "\n" + then))
    return f"{SCRIPTS}{icon_id(code)}.js", code + "\n"


def _link(m: re.Match[str]) -> str:
    return "".join(g or "" for g in m.groups())


def _balanced_end(html: str, start: int) -> int:
    """The end of the <nav> element that opens at `start` (its nested <nav>s counted), or -1."""
    depth = 0
    for m in _NAV_TAG.finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = html.find(">", m.end())
            return end + 1 if end >= 0 else -1
    return -1


def compact_file(site: str, rel_path: str, icons: dict[str, str]) -> tuple[int, int]:
    """Rewrite one HTML file of site/ in place; returns (bytes before, bytes after)."""
    path = os.path.join(site, rel_path)
    with open(path, "rb") as fh:
        data = fh.read()
    small = compact(data.decode("utf-8"), rel_path, icons).encode("utf-8")
    if small != data:
        with open(path, "wb") as fh:
            fh.write(small)
    return len(data), len(small)


def write_icons(site: str, icons: dict[str, str]) -> None:
    """Write the files that `compact` collected: the icons' stylesheet (its lines merged with those
    already there, since an incremental build minifies only the changed pages) and the scripts."""
    files: dict[str, str] = {}
    rules = {text for key, text in icons.items() if key.startswith(ICONS + "#")}
    if rules:
        try:
            with open(os.path.join(site, ICONS), encoding="utf-8") as fh:
                rules.update(line.strip() for line in fh if line.startswith(".tsgen-i-") and "--tsgen-i:url(" in line)
        except FileNotFoundError:
            pass
        names = sorted(r.split("{", 1)[0] for r in rules)
        files[ICONS] = ",".join(names) + "{" + ICON_BASE + "}\n" + "\n".join(sorted(rules)) + "\n"
    files.update((k, v) for k, v in icons.items() if not k.startswith(ICONS + "#"))
    for rel, text in files.items():
        target = os.path.join(site, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        data = text.encode("utf-8")
        try:
            with open(target, "rb") as fh:
                if fh.read() == data:
                    continue
        except FileNotFoundError:
            pass
        with open(target, "wb") as fh:
            fh.write(data)


def minified_script(source: str) -> str:
    """A script without its comments and needless whitespace (rjsmin: nothing else changes, not even
    a "use strict"), so every cold search does not download tsgen-search.js's documentation (12 KB of
    its 31)."""
    import rjsmin

    return rjsmin.jsmin(source, keep_bang_comments=True)


def minify_scripts(site: Path, scripts: Iterable[str]) -> int:
    """The scripts at `scripts` (site-relative: tsgen's own) minified in place in `site`, after MkDocs
    copied them; returns the bytes saved. The sources (templates/assets/, .tsgen/docs/assets/) stay as
    written."""
    saved = 0
    for rel in scripts:
        path = site / rel
        if not path.is_file() or path.is_symlink():
            continue
        text = path.read_text(encoding="utf-8")
        small = minified_script(text)
        if small != text:
            path.write_text(small, encoding="utf-8")
            saved += len(text.encode("utf-8")) - len(small.encode("utf-8"))
    return saved


def drop_unused_assets(site: Path) -> int:
    """Remove the theme files that no page of this site loads; returns the bytes freed.

    Material copies its search (a web worker and lunr's language files, 1.2 MB) and the source maps of
    its scripts and styles (1.1 MB, fetched only by a browser's developer tools) into every site. tsgen's
    search is Pagefind, so without Material's own search index (search/search_index.json, written only when
    a project turns Material's search plugin back on) the worker and lunr go too.
    """
    js = site / "assets" / "javascripts"
    victims = [p for folder in (js, site / "assets" / "stylesheets") if folder.is_dir()
               for p in folder.glob("*.map") if p.is_file()]
    if not (site / "search" / "search_index.json").is_file():
        victims += [p for sub in ("workers", "lunr") if (js / sub).is_dir()
                    for p in (js / sub).rglob("*") if p.is_file()]
    freed = 0
    for path in victims:
        freed += path.stat().st_size
        path.unlink()
    for sub in ("lunr/min", "lunr", "workers"):
        try:
            (js / sub).rmdir()
        except OSError:
            pass
    return freed


def dest_of(src_uri: str, directory_urls: bool) -> str:
    """The HTML file MkDocs writes for a docs-relative Markdown path (as mkdocs File.dest_uri)."""
    parent, _, filename = src_uri.rpartition("/")
    name = filename.rsplit(".", 1)[0]
    prefix = f"{parent}/" if parent else ""
    if name in ("index", "README") or not directory_urls:
        return f"{prefix}{'index' if name in ('index', 'README') else name}.html"
    return f"{prefix}{name}/index.html"


class MinifyPages(logging.Filter):
    """While MkDocs builds, hand each finished page to the minifier process; `close` waits for it.

    MkDocs logs "Building page <src>" (DEBUG, `mkdocs.commands.build`) before it renders a page and
    writes it at the end, so at each such record the page before it is complete on disk. The
    records reach no handler (they would not at MkDocs' normal level either).

    When a second process writes a share of the pages (site/stream.py, a Beside), it minifies its own
    pages itself, as it writes them, and adds the icons and scripts they need to those on disk before
    it ends (before the minifier process writes its own, which merges them).
    """

    LOGGER = "mkdocs.commands.build"

    def __init__(self, site_dir: Path, directory_urls: bool) -> None:
        super().__init__()
        self.site, self.directory_urls = site_dir, directory_urls
        self.previous: str | None = None
        self.sent: set[str] = set()
        self.logger = logging.getLogger(self.LOGGER)
        self.level = self.logger.level
        self.proc: subprocess.Popen[bytes] | None = None
        self.before = self.after = self.pages = 0
        self.icons: dict[str, str] | None = None  # in the second writer: what its pages need (compact)
        self.elsewhere: set[str] = set()           # the pages the second writer minified
        self.second = (0, 0, 0)                    # and its (files, bytes before, bytes after)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.DEBUG:
            return True
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith("Building page "):
            if self.previous is not None:
                self._send(self.previous)
            self.previous = dest_of(msg[len("Building page "):], self.directory_urls)
        # a filter added after this one (build's progress counter) sees the record and drops it;
        # without one, drop it here (MkDocs' level was raised to DEBUG for this filter only)
        filters = self.logger.filters
        return self in filters and filters.index(self) < len(filters) - 1

    def _send(self, rel: str) -> None:
        if rel in self.sent:
            return
        self.sent.add(rel)
        if self.icons is not None:  # the second writer (in_second): here and now
            before, after = compact_file(str(self.site), rel, self.icons)
            self.pages, self.before, self.after = self.pages + 1, self.before + before, self.after + after
        elif self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.write(rel.encode("utf-8") + b"\n")

    def before_fork(self, theirs: int) -> None:
        """site/stream.py's Beside: nothing buffered for the pipe may be written twice (once by the copy)."""
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.flush()

    def in_second(self) -> None:
        self.proc = None  # the pipe is this process's: only the first one writes to it
        self.icons, self.previous, self.sent = {}, None, set()
        self.pages = self.before = self.after = 0

    def second_done(self) -> tuple[list[str], int, int, int]:
        if self.previous is not None:
            self._send(self.previous)
        write_icons(str(self.site), self.icons or {})
        return sorted(self.sent), self.pages, self.before, self.after

    def second_joined(self, value: tuple[list[str], int, int, int]) -> None:
        pages, files, before, after = value
        self.sent.update(pages)
        self.elsewhere.update(pages)
        self.second = (files, before, after)

    def __enter__(self) -> "MinifyPages":
        env = {**os.environ, "PYTHONPATH": _package_parent()}
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "tsgen.site.minify", str(self.site)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        except OSError:  # no processes here (a sandbox): the pages are minified here after MkDocs
            self.proc = None
        self.logger.addFilter(self)
        if self.logger.getEffectiveLevel() > logging.DEBUG:
            self.logger.setLevel(logging.DEBUG)
        return self

    def finish(self, more: Iterable[str] = ()) -> None:
        """After MkDocs: the last page, `more`, and the theme's 404.html; then wait for the minifier."""
        self._stop_listening()
        if self.previous is not None:
            self._send(self.previous)
        for rel in more:
            self._send(rel)
        if (self.site / "404.html").is_file():
            self._send("404.html")  # the theme's own page, written after the documentation pages
        self._wait()

    def _wait(self) -> None:
        from tsgen.errors import BuildError

        if self.proc is None:
            counts = compact_tree(self.site, sorted(self.sent - self.elsewhere))
        else:
            out, _ = self.proc.communicate(timeout=1800)
            self.proc = None
            status, _, rest = out.decode("utf-8", "replace").strip().partition(" ")
            if status != "ok":
                raise BuildError(f"could not minify the pages of {self.site}: {rest or 'the minifier failed'}")
            counts = tuple(int(x) for x in rest.split())
        self.pages, self.before, self.after = (mine + theirs for mine, theirs in zip(counts, self.second))

    def _stop_listening(self) -> None:
        self.logger.removeFilter(self)
        self.logger.setLevel(self.level)

    def __exit__(self, *exc: object) -> None:
        self._stop_listening()
        if self.proc is not None:  # a failure in MkDocs: end the child without waiting for it
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=60)
            self.proc = None


def _package_parent() -> str:
    parent = str(Path(__file__).resolve().parents[2])
    rest = os.environ.get("PYTHONPATH")
    return parent + (os.pathsep + rest if rest else "")


def compact_tree(site: Path, paths: Iterable[str] | None = None) -> tuple[int, int, int]:
    """In this process: compact the given HTML files of site/ (default every one); (files, before, after)."""
    icons: dict[str, str] = {}
    rels = list(paths) if paths is not None else [
        p.relative_to(site).as_posix() for p in site.rglob("*.html")]
    before = after = 0
    for rel in rels:
        b, a = compact_file(str(site), rel, icons)
        before, after = before + b, after + a
    write_icons(str(site), icons)
    return len(rels), before, after


def main(site: str) -> int:
    """`python -m tsgen.site.minify SITE`: compact each HTML path read from stdin (one per line);
    print `ok FILES BEFORE AFTER` or `error MESSAGE`."""
    icons: dict[str, str] = {}
    files = before = after = 0
    error: str | None = None
    for line in sys.stdin.buffer:
        rel = line.decode("utf-8").rstrip("\n")
        if not rel or error is not None:
            continue
        try:
            b, a = compact_file(site, rel, icons)
        except (OSError, UnicodeDecodeError) as exc:
            error = f"{rel}: {exc}"
            continue
        files, before, after = files + 1, before + b, after + a
    if error is None:
        try:
            write_icons(site, icons)
        except OSError as exc:
            error = f"{ICONS}: {exc}"
    sys.stdout.write(f"error {error}\n" if error is not None else f"ok {files} {before} {after}\n")
    return 0


if __name__ == "__main__":
    import signal

    # Ctrl-C reaches the whole process group: the build stops itself and closes this process's
    # input, which ends it; here it would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(main(sys.argv[1]))
