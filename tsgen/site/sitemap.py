"""The sitemap of a large site, in parts: MkDocs writes one sitemap.xml with every page.

With `site_url` set, MkDocs' sitemap.xml lists every page: at 100,000 tickets one file of 13 MB and
100,000 URLs, over the sitemap protocol's 50,000 URLs a file (https://www.sitemaps.org/protocol.html)
and over the 500 KB that no generated file of tsgen's may pass. When it holds more than PART URLs,
`split_sitemap` writes them into `sitemaps/sitemap-N.xml` (and `.xml.gz`), PART each, and replaces
sitemap.xml (and sitemap.xml.gz) by a sitemap index that lists the parts: what search engines read
at /sitemap.xml is then the index, as the protocol describes. A smaller sitemap stays as MkDocs
wrote it. Runs on the folder MkDocs just built, before it is swapped in.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

PART = 2000   # URLs per part: about 250 KB of XML
FOLDER = "sitemaps"
_URL = re.compile(r"<url>.*?</url>", re.S)
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def split_sitemap(site: Path, site_url: str, part: int | None = None) -> int:
    """Split site/sitemap.xml into parts of `part` URLs when it holds more; returns the number of parts
    written (0: left as it was). `site_url` is mkdocs.yml's (the parts' addresses in the index)."""
    index = site / "sitemap.xml"
    folder = site / FOLDER
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)  # an incremental build's copy of the last site: written anew below
    if not index.is_file():
        return 0
    text = index.read_text(encoding="utf-8")
    urls = _URL.findall(text)
    part = part or PART
    if len(urls) <= part:
        return 0
    base = site_url if site_url.endswith("/") else site_url + "/"
    folder.mkdir()
    names = []
    for number, start in enumerate(range(0, len(urls), part), 1):
        name = f"{FOLDER}/sitemap-{number}.xml"
        body = f"{HEAD}<urlset {NS}>\n" + "\n".join(urls[start:start + part]) + "\n</urlset>\n"
        _write(site / name, body)
        names.append(name)
    entries = "\n".join(f"<sitemap><loc>{base}{name}</loc></sitemap>" for name in names)
    _write(index, f"{HEAD}<sitemapindex {NS}>\n{entries}\n</sitemapindex>\n")
    return len(names)


def _write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    path.write_bytes(data)
    with open(path.with_name(path.name + ".gz"), "wb") as out, \
            gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:  # no timestamp: same input, same file
        gz.write(data)
