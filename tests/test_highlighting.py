"""Code blocks highlighted with reused lexers and stylesheets (site/highlighting.py) give the HTML that
pymdownx.highlight gives without them."""

from __future__ import annotations

import markdown
import pytest
from pymdownx import highlight

from tsgen.site import highlighting

BLOCKS = [
    "```python\nprint('权限不足')  # a comment\n```",
    "```python hl_lines=\"2\" linenums=\"3\" title=\"app.py\"\nx = 1\ny = 'two'\n```",
    "```sql\nSELECT * FROM orders WHERE id = 1;\n```",
    "```log\n2024-01-02 ERROR ORA-12170: TNS:Connect timeout\n```",   # a language Pygments does not know
    "```\nno language at all\n```",
    "    indented code\n    second line",
    "Inline `#!python len(x)` and `#!nosuchlang x`.",
    "```bash\necho $HOME\n```\n\n```bash\nls -l /tmp\n```",           # the same lexer twice
]
CONFIGS = [
    {},
    {"pymdownx.highlight": {"linenums": True, "anchor_linenums": True, "line_spans": "__span"}},
    {"pymdownx.highlight": {"linenums_style": "pymdownx-inline", "pygments_lang_class": True,
                            "auto_title": True}},
    {"pymdownx.highlight": {"noclasses": True, "pygments_style": "monokai"}},
    {"pymdownx.highlight": {"css_class": "hl", "extend_pygments_lang": [{"name": "php-inline", "lang": "php",
                                                                         "options": {"startinline": True}}]}},
]
TEXT = "\n\n".join(BLOCKS + ["```php-inline\necho 1;\n```"])


def _html(configs: dict) -> str:
    md = markdown.Markdown(extensions=["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"],
                           extension_configs=configs)
    return md.convert(TEXT) + md.reset().convert(TEXT)  # the second conversion reuses what the first made


@pytest.mark.parametrize("configs", CONFIGS)
def test_same_html_as_pymdownx_alone(configs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    highlighting.install()
    assert highlight.BlockHtmlFormatter is not highlighting.REPLACED["BlockHtmlFormatter"]
    reused = _html(configs)
    for name, original in highlighting.REPLACED.items():
        monkeypatch.setattr(highlight, name, original)
    plain = _html(configs)
    assert reused == plain
    assert 'class="k' in plain or "style=" in plain  # Pygments did highlight (not a fallback to plain text)


def test_lexers_and_stylesheets_are_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    highlighting.install()
    monkeypatch.setattr(highlighting, "_LEXERS", {})
    monkeypatch.setattr(highlighting, "_SHEETS", {})
    _html({})
    lexers, sheets = dict(highlighting._LEXERS), dict(highlighting._SHEETS)
    assert {name for name, _ in lexers} >= {"python", "sql", "bash", "log"} and len(sheets) == 1
    assert lexers[next(k for k in lexers if k[0] == "log")] is None  # unknown: remembered as such
    _html({})
    assert highlighting._LEXERS == lexers and highlighting._SHEETS.keys() == sheets.keys()
    first = highlight.get_lexer_by_name("python", stripnl=True)
    assert highlight.get_lexer_by_name("python", stripnl=True) is first
    for _ in range(2):  # remembered as unknown, and raised the way Pygments raises it
        with pytest.raises(Exception, match="no lexer for alias 'nosuchlang' found"):
            highlight.get_lexer_by_name("nosuchlang")
