"""site/sitemap.py: a sitemap of more than PART pages becomes a sitemap index over parts of PART URLs
(the protocol allows 50,000 a file; tsgen keeps every generated file under 500 KB)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from conftest import TICKET_PATH, ticket_text, write
from tsgen.site import sitemap
from tsgen.site.sitemap import split_sitemap


def _sitemap(n: int) -> str:
    urls = "".join(f"\n    <url>\n         <loc>https://kb.example.com/docs/tickets/TS{i}/</loc>\n"
                   "         <lastmod>2026-12-01</lastmod>\n    </url>" for i in range(n))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}\n</urlset>'


def test_large_sitemap_becomes_an_index_of_parts(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(_sitemap(5), encoding="utf-8")
    assert split_sitemap(tmp_path, "https://kb.example.com/docs/", part=2) == 3
    index = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemapindex" in index and index.count("<sitemap>") == 3
    assert "<loc>https://kb.example.com/docs/sitemaps/sitemap-3.xml</loc>" in index
    parts = [(tmp_path / "sitemaps" / f"sitemap-{i}.xml").read_text(encoding="utf-8") for i in (1, 2, 3)]
    assert [p.count("<url>") for p in parts] == [2, 2, 1]
    assert re.findall(r"TS(\d+)/", "".join(parts)) == ["0", "1", "2", "3", "4"], "every page once, in order"
    assert gzip.decompress((tmp_path / "sitemaps" / "sitemap-2.xml.gz").read_bytes()).decode() == parts[1]
    assert gzip.decompress((tmp_path / "sitemap.xml.gz").read_bytes()).decode() == index


def test_small_sitemap_stays_as_mkdocs_wrote_it(tmp_path: Path) -> None:
    (tmp_path / "sitemaps").mkdir()
    (tmp_path / "sitemaps" / "sitemap-9.xml").write_text("stale", encoding="utf-8")  # a copy of the last site
    (tmp_path / "sitemap.xml").write_text(_sitemap(2), encoding="utf-8")
    assert split_sitemap(tmp_path, "https://kb.example.com/", part=2) == 0
    assert (tmp_path / "sitemap.xml").read_text(encoding="utf-8") == _sitemap(2)
    assert not (tmp_path / "sitemaps").exists()


def test_build_writes_parts_with_site_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tsgen.config import load_config
    from tsgen.site.build import build_site

    monkeypatch.setattr(sitemap, "PART", 3)
    write(tmp_path, TICKET_PATH, ticket_text())
    write(tmp_path, "mkdocs.yml", "site_name: KB\nsite_url: https://kb.example.com/\ntheme: {name: material}\nplugins: []\n")
    build_site(tmp_path, load_config(tmp_path), site_dir=tmp_path / "site")
    site = tmp_path / "site"
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    parts = sorted((site / "sitemaps").glob("sitemap-*.xml"))
    assert "<sitemapindex" in index and len(parts) == index.count("<sitemap>") > 1
    urls = "".join(p.read_text(encoding="utf-8") for p in parts)
    assert "<loc>https://kb.example.com/tickets/TS202310270001/</loc>" in urls
    assert all(p.read_text(encoding="utf-8").count("<url>") <= 3 for p in parts)
