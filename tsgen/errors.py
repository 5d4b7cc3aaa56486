"""The small exception hierarchy of tsgen; cli.py maps these to messages and exit codes."""

from __future__ import annotations


class TsgenError(Exception):
    """Base class of every error tsgen reports to the user without a traceback."""


class ConfigError(TsgenError):
    """The tsgen settings in mkdocs.yml are missing, malformed or out of range."""


class ArchiveError(TsgenError):
    """The archive cannot be used as asked (not found, invalid, id collision)."""


class BuildError(TsgenError):
    """Rendering pages or running MkDocs failed."""


class HistoryError(TsgenError):
    """Reading git history or a git revision failed."""
