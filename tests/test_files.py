"""No file from outside the archive is read or published (archive/files.py, archive/media.py).

Symlinks (to files, folders, chains, loops), special files, Markdown files with the wrong
extension, image paths and addresses that leave the archive, and ids that are not ASCII.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import KB_PATH, TICKET_PATH, assert_clean, kb_text, run_cli, ticket_text, write
from tsgen.archive.files import scan
from tsgen.archive.link import load_archive
from tsgen.config import load_config
from tsgen.errors import ArchiveError, BuildError
from tsgen.site.build import InvalidArchive, build_site
from tsgen.templating import environment

SECRET = "TOP-SECRET-CI-TOKEN-4711"
REFUSED = "tsgen never reads or publishes it; put the file itself here, or remove the link"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the archive holding a secret file, a secret article and a folder of them."""
    out = tmp_path / "outside"
    write(out, "secret.txt", SECRET)
    write(out, "KB0009-leak.md", kb_text(id="KB0009", title=SECRET))
    write(out, "dir/env.txt", SECRET)
    return out


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "archive"
    write(r, TICKET_PATH, ticket_text())
    write(r, KB_PATH, kb_text())
    return r


def validate(root: Path, *args: str) -> tuple[int, list[str]]:
    result = run_cli(["validate", "--root", root, *args])
    assert_clean(result)
    return result.exit_code, result.stdout.splitlines()


def test_symlinked_file_to_outside_is_an_error_and_never_copied(root: Path, outside: Path) -> None:
    os.symlink(outside / "secret.txt", root / "kb/leak.png")
    os.symlink("/etc/passwd", root / "kb/passwd.png")
    os.symlink("/proc/self/environ", root / "tickets/environ.txt")
    code, out = validate(root)
    assert code == 1
    assert out[:2] == [f"kb/leak.png: error: is a symlink to {outside / 'secret.txt'}, outside the archive: {REFUSED}",
                       f"kb/passwd.png: error: is a symlink to {os.path.realpath('/etc/passwd')}, outside the "
                       f"archive: {REFUSED}"]
    assert len(out) == 3 and out[2].startswith("tickets/environ.txt: error: is a symlink to /proc/") and out[2].endswith(
        f"/environ, outside the archive: {REFUSED}")
    assert [rel for rel, _ in scan(root).assets] == [], "nothing to copy"
    with pytest.raises(InvalidArchive):
        build_site(root, load_config(root))
    assert not (root / "site").exists() and not list((root / ".tsgen").rglob("*.png"))


def test_symlinked_markdown_to_outside_is_not_read(root: Path, outside: Path) -> None:
    os.symlink(outside / "KB0009-leak.md", root / "kb/KB0009-leak.md")
    archive = load_archive(root, load_config(root))
    assert "KB0009" not in archive.articles
    assert [p.format() for p in archive.problems] == [
        f"kb/KB0009-leak.md: error: is a symlink to {outside / 'KB0009-leak.md'}, outside the archive: {REFUSED}"]


def test_symlinked_folder_and_chains_and_the_folder_itself(root: Path, outside: Path, tmp_path: Path) -> None:
    os.symlink(outside / "dir", root / "kb/shared")
    os.symlink(outside / "secret.txt", root / "kb/hop2.png")
    os.symlink("hop2.png", root / "kb/hop1.png")  # a chain: hop1 -> hop2 -> outside
    code, out = validate(root)
    assert code == 1
    assert f"kb/shared: error: is a symlink to {outside / 'dir'}, outside the archive: {REFUSED}" in out
    assert f"kb/hop1.png: error: is a symlink to {outside / 'secret.txt'}, outside the archive: {REFUSED}" in out
    assert len(out) == 3

    other = tmp_path / "other"
    (other / "kb").mkdir(parents=True)
    os.symlink(outside, other / "tickets")  # the whole tickets/ folder leads out
    code, out = validate(other)
    assert code == 1 and out == [f"tickets: error: is a symlink to {outside}, outside the archive: {REFUSED}"]


def test_links_into_the_archive_outside_its_sources_are_refused(root: Path) -> None:
    write(root, ".git/config", f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    write(root, "mkdocs.yml", "site_name: x\n")
    os.symlink("../.git/config", root / "kb/config.png")
    os.symlink("../mkdocs.yml", root / "kb/mkdocs.txt")
    code, out = validate(root)
    assert code == 1
    assert out == [f"kb/config.png: error: is a symlink to .git/config, outside tickets/, kb/, templates/ of the "
                   f"archive: {REFUSED}",
                   f"kb/mkdocs.txt: error: is a symlink to mkdocs.yml, outside tickets/, kb/, templates/ of the "
                   f"archive: {REFUSED}"]


def test_symlinks_inside_the_archive_are_followed(root: Path) -> None:
    write(root, "kb/images/real.png", b"\x89PNG\r\n\x1a\n")
    os.symlink("real.png", root / "kb/images/alias.png")
    os.symlink("../kb/images", root / "tickets/images")  # a folder linked from tickets/ to kb/
    os.symlink(".", root / "kb/loop")  # a loop back to kb/ itself: read once, with a warning
    write(root, KB_PATH, kb_text(body=kb_text().split("---\n", 2)[2] + "\n![a](images/alias.png)\n"))
    code, out = validate(root)
    assert code == 0, out
    assert out == ["kb/loop: warning: is a symlink to a folder that is read already; skipped (remove the link)"]
    assets = {rel: real for rel, real in scan(root).assets}
    assert set(assets) == {"kb/images/alias.png", "kb/images/real.png", "tickets/images/alias.png",
                           "tickets/images/real.png"}
    assert assets["kb/images/alias.png"] == (root / "kb/images/real.png").resolve()


def test_special_files_and_wrong_extensions_are_reported(root: Path) -> None:
    os.mkfifo(root / "kb/pipe.png")  # reading it would hang the build
    write(root, "kb/KB0002-upper.MD", kb_text(id="KB0002"))
    write(root, "tickets/2023/10/TS202310270002.markdown", ticket_text(id="TS202310270002"))
    code, out = validate(root)
    assert code == 1
    assert out == [
        "kb/KB0002-upper.MD: error: Markdown file with the extension '.MD': tsgen reads only '.md' files; rename "
        "it to kb/KB0002-upper.md",
        f"kb/pipe.png: error: is not a regular file (a pipe, socket or device): {REFUSED}",
        "tickets/2023/10/TS202310270002.markdown: error: Markdown file with the extension '.markdown': tsgen reads "
        "only '.md' files; rename it to tickets/2023/10/TS202310270002.md"]


def test_templates_that_lead_outside_are_never_rendered(root: Path, outside: Path) -> None:
    (root / "templates/site").mkdir(parents=True)
    os.symlink(outside / "secret.txt", root / "templates/site/home.md.j2")
    code, out = validate(root)
    assert code == 1
    assert out == [f"templates/site/home.md.j2: error: is a symlink to {outside / 'secret.txt'}, outside the "
                   f"archive: {REFUSED}"]
    with pytest.raises(ArchiveError, match="templates/site/home.md.j2 is a symlink to .*: tsgen never reads it"):
        environment(root).get_template("site/home.md.j2")
    assert environment(root).get_template("site/ticket.md.j2") is not None, "the defaults still load"


BODY = kb_text().split("---\n", 2)[2]


@pytest.mark.parametrize("image, message", [
    ("![x](../../../../etc/passwd)", "image ../../../../etc/passwd leaves the archive: only files under tickets/ "
                                     "and kb/ are published"),
    ("![x](/etc/passwd)", "image /etc/passwd is an absolute path, outside the archive: copy the file next to the "
                          "document and link it relatively, e.g. images/screen.png"),
    ("![x](C:\\Users\\a.png)", "image C:\\Users\\a.png is an absolute path, outside the archive: copy the file next "
                               "to the document and link it relatively, e.g. images/screen.png"),
    ("![x](file:///etc/passwd)", "image file:///etc/passwd is a file: URL, outside the archive: copy the file next "
                                 "to the document and link it relatively"),
    ("![x](..%2F..%2F..%2Fetc%2Fpasswd)", "image ..%2F..%2F..%2Fetc%2Fpasswd leaves the archive: only files under "
                                          "tickets/ and kb/ are published"),
    ("![x](..\\..\\..\\etc\\passwd)", "image ..\\..\\..\\etc\\passwd leaves the archive: only files under tickets/ "
                                      "and kb/ are published"),
    ("![x](../mkdocs.yml)", "image ../mkdocs.yml resolves to mkdocs.yml, outside tickets/ and kb/: only their files "
                            "are published; move the file next to the document"),
    ("![x][shot]\n\n[shot]: ../../etc/passwd", "image (reference) ../../etc/passwd leaves the archive: only files "
                                               "under tickets/ and kb/ are published"),
    ('<img src="/etc/passwd">', "<img src> /etc/passwd is an absolute path, outside the archive: copy the file next "
                                "to the document and link it relatively, e.g. images/screen.png"),
])
def test_image_paths_that_leave_the_archive_are_errors(root: Path, image: str, message: str) -> None:
    write(root, KB_PATH, kb_text(body=BODY + "\n" + image + "\n"))
    code, out = validate(root)
    assert code == 1
    assert len(out) == 1 and out[0].startswith(f"{KB_PATH}:") and out[0].endswith(f": error: body: {message}"), out


REMOTE = "is on another host: the page would load it from there when viewed; copy it next to the document and " \
         "link it relatively (the site must work offline)"


@pytest.mark.parametrize("image, shown", [
    ("![x](https://cdn.example.com/a.png)", "image https://cdn.example.com/a.png"),
    ("![x](//cdn.example.com/a.png)", "image //cdn.example.com/a.png"),
    ("![x](HTTP://cdn.example.com/a.png)", "image HTTP://cdn.example.com/a.png"),
    ("![x][r]\n\n[r]: <https://cdn.example.com/r.png> \"title\"", "image (reference) https://cdn.example.com/r.png"),
    ("![r]\n\n[R]: https://cdn.example.com/short.png", "image (reference) https://cdn.example.com/short.png"),
    ('<img alt="a" src="https://cdn.example.com/h.png">', "<img src> https://cdn.example.com/h.png"),
    ("<img src=&#104;ttps://cdn.example.com/e.png>", "<img src> https://cdn.example.com/e.png"),
    ('<img srcset="../../../kb/images/a.png 1x, https://cdn.example.com/2x.png 2x">', "<img srcset> https://cdn.example.com/2x.png"),
    ('<span style="background: url(\'https://cdn.example.com/bg.png\')">x</span>',
     "CSS url() https://cdn.example.com/bg.png"),
    ('<div style="background:URL(//cdn.example.com/bg2.png)">x</div>', "CSS url() //cdn.example.com/bg2.png"),
    ("<style>\n@import 'https://cdn.example.com/x.css';\n</style>", "CSS url() https://cdn.example.com/x.css"),
])
def test_files_on_another_host_are_warnings_and_errors_with_strict(root: Path, image: str, shown: str) -> None:
    write(root, "kb/images/a.png", b"\x89PNG\r\n\x1a\n")
    write(root, TICKET_PATH, ticket_text(body="## 问题描述\n\n截图：\n\n" + image + "\n"))
    code, out = validate(root)
    assert code == 0
    assert len(out) == 1 and out[0].startswith(f"{TICKET_PATH}:") and \
        out[0].endswith(f": warning: body: {shown} {REMOTE}"), out
    code, out = validate(root, "--strict")
    assert code == 1 and ": error: body: " in out[0]


def test_code_and_comments_and_fine_images_are_left_alone(root: Path) -> None:
    write(root, "kb/images/a.png", b"\x89PNG\r\n\x1a\n")
    write(root, "tickets/2023/10/shot.png", b"\x89PNG\r\n\x1a\n")
    body = ("![a](images/a.png) ![b](../../../kb/images/a.png#x) ![c](data:image/png;base64,AA)\n\n"
            "```\n![x](https://cdn.example.com/a.png) <img src=/etc/passwd>\n```\n"
            "`![y](/etc/passwd)` <!-- ![z](https://cdn.example.com/z.png) -->\n[link](https://example.com)\n")
    write(root, KB_PATH, kb_text(body=BODY + body.replace("../../../kb/", "")))
    write(root, TICKET_PATH, ticket_text(body="## 问题描述\n\n" + body.replace("images/a.png)", "shot.png)", 1)))
    code, out = validate(root)
    assert (code, out) == (0, [])


def test_ids_are_ascii_digits(root: Path) -> None:
    fullwidth = "TS２０２３１０２７０００２"
    write(root, f"tickets/2023/10/{fullwidth}.md", ticket_text(id=fullwidth))
    write(root, "kb/KB０００２.md", kb_text(id="KB０００２"))
    code, out = validate(root)
    assert code == 1
    assert any(line.startswith(f"tickets/2023/10/{fullwidth}.md:2: error: id:") for line in out), out
    assert any(line.startswith("kb/KB０００２.md:2: error: id:") for line in out), out
    write(root, TICKET_PATH, ticket_text(created="２０２３-10-27 10:00"))
    code, out = validate(root)
    assert any(line.startswith(f"{TICKET_PATH}:6: error: created:") for line in out), out


def test_build_copies_linked_images_inside_the_archive_and_a_theme_link_out_is_refused(root: Path,
                                                                                      outside: Path) -> None:
    write(root, "kb/images/real.png", b"\x89PNG\r\n\x1a\n")
    os.symlink("real.png", root / "kb/images/alias.png")
    write(root, KB_PATH, kb_text(body=BODY + "\n![a](images/alias.png)\n"))
    build_site(root, load_config(root))
    assert (root / "site/kb/images/alias.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert not (root / "site/kb/images/alias.png").is_symlink()

    write(root, "mkdocs.yml", "site_name: x\ntheme:\n  name: material\n  custom_dir: overrides\n")
    write(root, "overrides/partials/ok.html", "<p>ok</p>")
    os.symlink(outside / "secret.txt", root / "overrides/leak.txt")
    with pytest.raises(BuildError, match="overrides/leak.txt .in theme.custom_dir. is a symlink to .*outside the "
                                        "theme folder: tsgen never copies it into the site"):
        build_site(root, load_config(root))
    assert SECRET not in "".join(p.read_text(errors="replace") for p in (root / "site").rglob("*") if p.is_file())


def test_read_file_judges_a_path_that_did_not_come_from_the_scan(root: Path, outside: Path) -> None:
    from tsgen.archive.files import read_file

    write(root, "kb/images/real.png", b"png")
    os.symlink("real.png", root / "kb/images/alias.png")
    os.symlink(outside / "secret.txt", root / "kb/images/leak.png")
    os.mkfifo(root / "kb/images/pipe.png")
    assert read_file(root, "kb/images/alias.png") == b"png"
    with pytest.raises(PermissionError, match="outside the archive; tsgen never reads it"):
        read_file(root, "kb/images/leak.png")
    with pytest.raises(PermissionError, match="is not a regular file"):
        read_file(root, "kb/images/pipe.png")  # and does not hang waiting for a writer


@pytest.mark.parametrize("link", [True, False])
def test_a_theme_folder_outside_the_archive_is_refused(root: Path, outside: Path, link: bool) -> None:
    if link:
        os.symlink(outside / "dir", root / "overrides")
    custom = "overrides" if link else str(outside / "dir")
    write(root, "mkdocs.yml", f"site_name: x\ntheme:\n  name: material\n  custom_dir: {custom}\n")
    with pytest.raises(BuildError, match="outside the archive .or into a hidden folder.: tsgen never copies it"):
        build_site(root, load_config(root))
    assert not (root / ".tsgen/theme/env.txt").exists()
