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


def md_inline(value: Any) -> Markup:
    """Text for a Markdown table cell or a heading: HTML-escaped, Markdown syntax and pipes neutralised."""
    text = str(escape("" if value is None else value))
    text = text.replace("\n", " ").replace("|", "&#124;")
    text = re.sub(r"([\\`*_\[\]#~])", r"\\\1", text)
    return Markup(text)


# JSON escapes control characters; YAML also refuses these in a double-quoted scalar
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def yaml_string(value: Any) -> Markup:
    """Text (e.g. rendered HTML) as one YAML double-quoted scalar for a page's front matter.

    Marked safe: the value is already what it should be (escaped HTML), and the quoting is YAML's.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return Markup(_YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


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


def environment(root: Path | None) -> jinja2.Environment:
    """The template environment for an archive at `root` (its templates/ override the defaults)."""
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
    )
    env.filters["yaml"] = yaml_value
    env.filters["md"] = md_inline
    env.filters["code_spans"] = code_spans
    env.filters["yaml_string"] = yaml_string
    env.filters["pct"] = lambda value, digits=1: percent(value, digits, none="—")
    return env
