"""The Jinja2 environment: the repository's templates/ first, then tsgen's defaults.

Page templates are autoescaped (a ticket's text is never trusted markup); the authoring templates
under new/ and init/ produce YAML and are not.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

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


def environment(root: Path | None) -> jinja2.Environment:
    """The template environment for an archive at `root` (its templates/ override the defaults)."""
    loaders: list[jinja2.BaseLoader] = []
    if root is not None and (root / "templates").is_dir() and (root / "templates").resolve() != DEFAULTS.resolve():
        loaders.append(jinja2.FileSystemLoader(str(root / "templates")))
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
    return env
