"""tsgen: a technical-support team's tickets and knowledge base, kept in git and published as a static site."""

from __future__ import annotations

__version__ = "0.1.0"
