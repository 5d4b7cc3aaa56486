"""The Markdown body reader of the validator, and the renderer's preparation of a body (conversion: test_prose.py)."""

from __future__ import annotations

from tsgen.archive.body import images, is_local_file
from tsgen.site.render import safe_body

BODY = """## 截图示例

![权限配置](images/a.png)

<!-- ![草稿](images/draft.png) -->

```
![代码里的不是图片](images/code.png) <b>kept</b>
```

行内 `![x](images/span.png)` 也不是。<script>alert(1)</script>
"""


def test_images_skip_comments_and_code_and_keep_offsets() -> None:
    found = list(images(BODY))
    assert [t for _, t in found] == ["images/a.png"]
    offset = found[0][0]
    assert BODY[offset:].startswith("![权限配置]")


def test_is_local_file() -> None:
    assert is_local_file("images/a.png") and is_local_file("../x.png")
    assert not any(is_local_file(t) for t in ("https://x/a.png", "/abs.png", "#top", "data:image/png;base64,AA"))


def test_safe_body_drops_comments_and_leaves_the_rest_to_the_conversion() -> None:
    """Customer data is masked before (archive/privacy.py) and HTML is escaped after (site/prose.py)."""
    out = safe_body(BODY)
    assert "draft.png" not in out, "comments are not published"
    assert "![权限配置](images/a.png)" in out
    assert "<script>alert(1)</script>" in out, "the Markdown conversion (site/prose.py) escapes it, not a guess here"
