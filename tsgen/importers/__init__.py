"""`tsgen import`: one module per helpdesk export format, and the common core (core.py).

FORMATS maps the command's FORMAT argument to its Format (reader and default mapping).
"""

from __future__ import annotations

from tsgen.importers import csvmap, jira, osticket, sobot, zammad, zendesk
from tsgen.importers.core import Format

FORMATS: dict[str, Format] = {m.FORMAT.name: m.FORMAT for m in (zammad, osticket, zendesk, jira, sobot, csvmap)}
