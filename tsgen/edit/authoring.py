"""Create new tickets, KB articles and archives from templates, never overwriting a file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from tsgen.config import Config
from tsgen.templating import environment
from tsgen.archive.ids import claim_ticket_id, used_ticket_sequences, write_new
from tsgen.archive.validate import KB_ID


@dataclass
class TicketDraft:
    """What `tsgen new ticket` was told; everything else comes from the template."""

    title: str
    type: str = "fault"
    priority: str = "P2"
    status: str = "pending"
    channel: str = "ticket-system"
    created: datetime | None = None
    source: str = ""
    assignee: str = ""
    customer_name: str = ""
    customer_department: str = ""
    customer_contact: str = ""
    os: str = ""
    version: str = ""
    browser: str = ""
    tags: list[str] = field(default_factory=list)


_write_new = write_new  # the one exclusive create, shared with the importers (tsgen/archive/ids.py)
_used_ticket_sequences = used_ticket_sequences


def new_ticket(root: Path, config: Config, draft: TicketDraft) -> tuple[str, Path]:
    """Write tickets/YYYY/MM/<id>.md with the next free id of the creation date; return (id, path)."""
    created = (draft.created or datetime.now(config.tz)).astimezone(config.tz).replace(second=0, microsecond=0)
    used = _used_ticket_sequences(root, config.id_prefix, created.strftime("%Y%m%d"))
    template = environment(root).get_template("new/ticket.md.j2")

    def render(tid: str) -> str:
        return template.render(id=tid, created=created.strftime("%Y-%m-%d %H:%M"), **{
            k: v for k, v in draft.__dict__.items() if k != "created"})

    return claim_ticket_id(root, config.id_prefix, created, render, used, _write_new)


def slugify(title: str) -> str:
    """A readable ASCII file-name slug from a title: Chinese as pinyin (数据库连接超时 -> shu-ju-ku-lian-jie-chao-shi).

    pypinyin spells the Chinese characters (other text passes through), python-slugify makes the
    result ASCII, lower case and dash-separated, cut at a word boundary within 60 characters.
    """
    from pypinyin import lazy_pinyin
    from slugify import slugify as ascii_slug

    return ascii_slug(" ".join(lazy_pinyin(title)), max_length=60, word_boundary=True)


def new_article(root: Path, config: Config, title: str, slug: str = "", tags: list[str] | None = None,
                tickets: list[str] | None = None, owner: str = "", today: date | None = None,
                versions: list[str] | None = None, problem: str = "", steps: str = "") -> tuple[str, Path]:
    """Write kb/<id>-<slug>.md with the next KB id; return (id, path).

    Every ticket in `tickets` must exist (an ArchiveError names the one that does not). `problem` and
    `steps` prefill the 问题描述 and 解决步骤 sections (`tsgen promote`); empty, the template's
    placeholders stay.
    """
    from tsgen.edit.workflow import find_ticket

    for tid in tickets or []:
        find_ticket(root, config, tid)
    numbers = [0]
    base = root / "kb"
    if base.is_dir():
        for path in base.rglob("KB*.md"):
            m = KB_ID.match(path.stem)
            if m:
                numbers.append(int(m.group(0)[2:]))
    number = max(numbers) + 1
    today = today or datetime.now(config.tz).date()
    slug = slugify(slug or title)
    template = environment(root).get_template("new/kb.md.j2")
    while True:
        kid = f"KB{number:04d}"
        path = base / (f"{kid}-{slug}.md" if slug else f"{kid}.md")
        text = template.render(id=kid, title=title, tags=tags or [], tickets=tickets or [], owner=owner,
                               versions=versions or [], permissions=[], today=today.isoformat(),
                               problem=problem.strip(), steps=steps.strip(),
                               review_by=(today + timedelta(days=365)).isoformat())
        if not any(base.glob(f"{kid}-*.md")) and _claim(base / f"{kid}.md", path, text):
            return kid, path
        number += 1  # taken, perhaps by another `tsgen new kb` a moment ago


def _claim(reservation: Path, path: Path, text: str) -> bool:
    """Take a KB id atomically: create `<id>.md` exclusively, then move it to its slugged name.

    The id-only name is the lock every concurrent `tsgen new kb` competes for; the final name is
    linked without overwriting (os.link fails if it exists) before the reservation is removed.
    """
    if not _write_new(reservation, text):
        return False
    if any(base_path != reservation for base_path in reservation.parent.glob(f"{reservation.stem}-*.md")):
        reservation.unlink()  # another run finished with this id between our look and our claim
        return False
    if reservation == path:
        return True
    try:
        os.link(reservation, path)
    except FileExistsError:
        reservation.unlink()
        return False
    except OSError:  # a file system without hard links: fall back to an exclusive create
        created = _write_new(path, text)
        reservation.unlink()
        return created
    reservation.unlink()
    return True


INIT_FILES = {
    "mkdocs.yml": "init/mkdocs.yml",
    "requirements.txt": "init/requirements.txt",
    ".gitignore": "init/gitignore",
    ".github/workflows/tsgen.yml": "init/github-workflow.yml",
    ".gitlab-ci.yml": "init/gitlab-ci.yml",
    "tickets/.gitkeep": None,
    "kb/.gitkeep": None,
}


# The distribution this tool is published as (`pip install tsgen` is an unrelated project); the CI
# files of a new archive install exactly this version through the archive's requirements.txt.
DISTRIBUTION = "tsgen-kb"


def init_archive(target: Path, site_name: str, language: str = "zh") -> list[tuple[Path, bool]]:
    """Create a new archive at `target`; returns (path, created?) for each file; never overwrites."""
    from tsgen import __version__

    env = environment(None)
    results: list[tuple[Path, bool]] = []
    for rel, template in INIT_FILES.items():
        path = target / rel
        text = env.get_template(template).render(site_name=site_name, language=language,
                                                 distribution=DISTRIBUTION, version=__version__) if template else ""
        results.append((path, _write_new(path, text)))
    return results
