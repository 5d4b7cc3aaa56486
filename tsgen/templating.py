"""The Jinja2 environment: the repository's templates/ first, then tsgen's defaults.

Page templates are autoescaped (a ticket's text is never trusted markup); the authoring templates
under new/ and init/ produce YAML and are not.
"""

from __future__ import annotations

import json
import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import jinja2.loaders
import yaml
from markupsafe import Markup, escape
from tsgen.stats.formats import percent

from tsgen.archive.files import escapes
from tsgen.errors import ArchiveError

def _defaults() -> Path:
    """tsgen's own templates: the installed `tsgen.templates` package (the repository's templates/)."""
    try:
        return Path(str(files("tsgen.templates")))
    except ModuleNotFoundError:  # source checkout imported without installing (python -m tsgen in the repo)
        return Path(__file__).resolve().parent.parent / "templates"


DEFAULTS = _defaults()

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def yaml_value(value: Any) -> str:
    """A value as a YAML flow scalar or list (JSON is valid YAML and quotes what needs quoting)."""
    if value is None:
        return '""'
    return json.dumps(value, ensure_ascii=False)


# Every ASCII punctuation character as a numeric character reference: no Markdown syntax (emphasis,
# links, attribute lists `{...}`, code spans, HTML, tables' pipes, headings, list markers, magic
# links) can start from such text, and the browser shows the same characters. Control characters
# and line breaks become spaces: the text is one line of a table cell, list item or heading.
_MD_TEXT = str.maketrans({**{c: f"&#{ord(c)};" for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"},
                          **{c: " " for c in [*map(chr, range(0x20)), *map(chr, range(0x7f, 0xa0)),
                                              "\u2028", "\u2029"]}})


def md_inline(value: Any) -> Markup:
    """Document text for a line of generated Markdown (table cell, list item, heading): shown as written, never syntax."""
    return Markup(("" if value is None else str(value)).translate(_MD_TEXT))


# JSON escapes control characters; YAML also refuses these in a double-quoted scalar
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def yaml_string(value: Any) -> Markup:
    """Text (e.g. rendered HTML) as one YAML double-quoted scalar for a page's front matter.

    Marked safe: the value is already what it should be (escaped HTML), and the quoting is YAML's.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return Markup(_YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's safe dumper (the HTML in tsgen_head is several KB on every page); text of several lines
    as a literal block, line for line (libyaml falls back to quoting where a block cannot hold it)."""

    block = "|"


class _QuotedDumper(_Dumper):
    """Every text of several lines double-quoted on one line (see front_matter)."""

    block = '"'


def _text(dumper: Any, value: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=dumper.block if "\n" in value else None)


_Dumper.add_representer(str, _text)
_QuotedDumper.add_representer(str, _text)
# MkDocs ends the front matter at the first line that is "---" or "..." (mkdocs.utils.meta.YAML_RE)
_CLOSING_LINE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def _plain(value: Any) -> Any:
    """Markup and other str subclasses as str, recursively (the YAML dumper represents exact types)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def front_matter(**meta: Any) -> Markup:
    """A page's YAML front matter, written by the YAML dumper (never by string formatting).

    `title` is HTML to the theme (Material writes page.meta.title into the page unescaped), so it
    is HTML-escaped here unless it already is (Markup). Any text gives a front matter that loads back
    to the same values (tests/test_properties.py); lines are never folded, so no line of a value
    can read as the closing `---`.
    """
    if "title" in meta:
        meta["title"] = escape("" if meta["title"] is None else meta["title"])
    plain = _plain(meta)
    text = yaml.dump(plain, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=-1)
    if _CLOSING_LINE.search(text):  # a block kept with its final line breaks is followed by "..."
        text = yaml.dump(plain, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=-1)
    return Markup(f"---\n{text}---\n")


_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(value: Any) -> Markup:
    """Text for HTML with its `code spans` as <code>: the UI strings written for Markdown pages."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape("" if value is None else value))))


class ArchiveTemplates(jinja2.FileSystemLoader):
    """The archive's own templates/: a template that is a symlink leading out of templates/ is never read.

    archive/files.py judges the path before Jinja2 opens it; `tsgen validate` reports the same file.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(str(root / "templates"))
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        pieces = jinja2.loaders.split_template_path(template)  # refuses '..' in a template name
        path = self.root / "templates" / "/".join(pieces)
        if os.path.lexists(path):
            why = escapes(self.root, path, ("templates",))
            if why is not None:
                raise ArchiveError(f"templates/{'/'.join(pieces)} {why}: tsgen never reads it; "
                                   "put the template itself there")
        return super().get_source(environment, template)


def environment(root: Path | None, reload: bool = True) -> jinja2.Environment:
    """The template environment for an archive at `root` (its templates/ override the defaults).

    `reload=False` (a build, which reads each template once): a compiled template is used again without
    asking its file whether it changed (Jinja2's auto_reload; six times for each ticket page)."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None and (root / "templates").is_dir() and (root / "templates").resolve() != DEFAULTS.resolve():
        loaders.append(ArchiveTemplates(root))
    loaders.append(jinja2.FileSystemLoader(str(DEFAULTS)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=lambda name: bool(name) and not name.startswith(("new/", "init/")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=reload,
    )
    env.filters["yaml"] = yaml_value
    env.filters["md"] = md_inline
    env.filters["code_spans"] = code_spans
    env.filters["yaml_string"] = yaml_string
    env.filters["pct"] = lambda value, digits=1: percent(value, digits, none="—")
    env.globals["front_matter"] = front_matter
    return env
