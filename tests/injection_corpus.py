"""A corpus of script-injection attempts, written as an archive: every place text reaches a page.

Bodies (raw HTML, attribute lists, URL schemes, fences and code spans, extensions' syntax), titles,
tags and every other published field of tickets and articles (quotes, C0/C1 controls, YAML and
Markdown syntax), and git author names (the contributors page). Every payload that would run calls
`alert(...)`/`prompt(...)`/`confirm(...)` or carries an `on...=` handler, so the checks in
tests/test_injection.py can look for them on every page.
"""

from __future__ import annotations

from pathlib import Path

import yaml

RAW_HTML = [
    '<script>alert("raw-script")</script>',
    "<img src=x onerror=alert('raw-img')>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert('svg')><circle r=1></svg>",
    "<svg><script>alert('svg-script')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('xlink')\"><text y=20>x</text></a></svg>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>',
    "<details open ontoggle=alert('toggle')>x</details>",
    '<a href="javascript:alert(1)">raw link</a>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<div markdown="1">[md in html](javascript:alert(1))</div>',
    '<span markdown="span">[md in span](javascript:alert(1)){: onclick="alert(1)"}</span>',
    '<a href="#" onclick="alert(1)">**[link](javascript:alert(1))**</a>',
    "<!--><img src=x onerror=alert('comment')>-->",
    "<![CDATA[<img src=x onerror=alert('cdata')>]]>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<input autofocus onfocus=alert('focus')>",
    "<video><source onerror=alert('video')></video><audio src=x onerror=alert(1)>",
    "<body onload=alert('body')>",
    "<marquee onstart=alert(1)>m</marquee><x onclick=alert(1)>x</x>",
    "<textarea></textarea><img src=x onerror=alert('textarea')>",
    "<link rel=stylesheet href=\"javascript:alert(1)\"><portal src=\"javascript:alert(1)\"></portal>",
    "<img src=\"x\" name=\"querySelector\"><form name=\"getElementById\"></form>",
    "<a href=\"https://example.com\" style=\"position:fixed;top:0;left:0;width:100%;height:100%\">overlay</a>",
    "<div style=\"width:expression(alert(1))\">ie</div>",
]

ATTR_LIST = [
    '![img](x.png){: onerror="alert(1)"}',
    "![img](x.png){onerror=alert('attr-img')}",
    '[link](https://example.com){: onclick="alert(1)" }',
    'a paragraph\n{: onmouseover="alert(1)" style="background:url(javascript:alert(1))" }',
    "## a heading {: onclick=alert('h') }",
    '## anchored {#cause .md-header onclick="alert(1)"}',
    "- item\n{: onclick=alert(1)}",
    "| a |\n|---|\n| b {: onclick=alert(1)} |",
    "`code`{: onclick=alert(1)}",
    '```{.python onclick="alert(1)" style="background:url(x)"}\nx = 1\n```',
    "> quote\n{: onclick=alert(1)}",
    "*em*{: onclick=alert(1)} **strong**{onmouseover=alert(1)}",
    "[ref link][r]{: onclick=alert(1)}\n\n[r]: https://example.com",
    '![x](x.png){: src="javascript:alert(1)"}',
    '[x](https://example.com){: href="javascript:alert(1)"}',
    '[x](https://example.com){: target="_blank" rel="opener" data-md-component="search"}',
]

FENCES = [
    "\\`<img src=x onerror=alert('bs-tick')>\\`",
    "\\``<img src=x onerror=alert(1)>`",
    "~~~ python extra words\n<img src=x onerror=alert('tilde')>\n~~~",
    '```python title="a" onclick="alert(1)"\n<img src=x onerror=alert(1)>\n```',
    "````\n```\n<img src=x onerror=alert(1)>\n```\n````",
    "```\n<img src=x onerror=alert('unclosed')>\n",
    "    <img src=x onerror=alert('indented')>",
    "`` ` <img src=x onerror=alert(1)> ` ``",
    "<code><img src=x onerror=alert('in-code')></code>",
    "~~~\n<img src=x onerror=alert(1)>\n```\n",
    "- list\n\n    ```\n    <img src=x onerror=alert(1)>\n    ```",
    "```` ```` <img src=x onerror=alert(1)>",
]

URLS = [
    "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a](javascript&#58;alert(1))",
    "[a](&#106;avascript:alert(1))", "[a](&#x6A;avascript:alert(1))", "[a](java&#x09;script:alert(1))",
    "[a](<javascript:alert(1)>)", "[a]( javascript:alert(1))", "[a](javascript://%0aalert(1))",
    "[a](\x01javascript:alert(1))", "[a](java\tscript:alert(1))",
    "[a][js]\n\n[js]: javascript:alert(1)", "[js2]\n\n[js2]: JAVASCRIPT:alert(1) \"title\"",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[a](vbscript:msgbox(1))", "[a](VBScript:msgbox(1))", "<javascript:alert(1)>", "javascript:alert(1)",
    "![x](javascript:alert(1))", "[a](livescript:alert(1))", "[a](file:///etc/passwd)",
    "[a](https://example.com\" onclick=\"alert(1))", "[a](https://example.com 't\" onmouseover=\"alert(1)')",
    '<a href="&#1;javascript:alert(1)">x</a>', "[a](%6Aavascript:alert(1))", "[a](jav&#x0A;ascript:alert(1))",
]

EXTENSIONS = [
    "!!! note onclick=alert(1)\n    admonition", "!!! note \"<img src=x onerror=alert('adm')>\"\n    x",
    "??? note \"<img src=x onerror=alert('det')>\"\n    x", "term\n:   <img src=x onerror=alert('dd')>",
    "*[ABBR]: <img src=x onerror=alert('abbr')>\n\nABBR", "[^1]\n\n[^1]: <img src=x onerror=alert('fn')>",
    "&lt;img src=x onerror=alert('entity')&gt;", "&#60;img src=x onerror=alert('numeric')&#62;",
    "{++<img src=x onerror=alert('critic')>++}", "--8<-- \"/etc/passwd\"",
    "$$ \\href{javascript:alert(1)}{x} $$",
]

# valid one-line titles (and other one-line fields) that break naive front matter, HTML or Markdown
TITLES = [
    "<script>alert('title')</script>", "</title><script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)", 'a "quoted" title: with colon # and hash', '{: onclick="alert(1)"}',
    "x {#id onclick=alert(1)}", "&lt;img src=x onerror=alert(1)&gt;", "C1 \x85 NEL \x9b CSI \x80 \x9f end",
    "C0 \x1b[31m \x07 bell \x0b vt", "\u2028 LS \u2029 PS", "--- dashes", "...", "back\\slash \\\" end",
    "[x](javascript:alert(1))", "`<img src=x onerror=alert(1)>`", "*bold* _it_ ~~s~~ ==m==", "tab\there",
    "\ufeffbom", "|pipe| cell |", "!!! note", "- list", "1. item", "# hash", "&amp; &#60; &", "%3Cscript%3E",
]
TAGS = ["<img src=x onerror=alert('tag')>", "{: onclick=alert(1)}", "a)](javascript:alert(1))", '"quote',
        "c1\x85x", "[x]", "*", "_u_", "`", "../../etc", "#hash", "a b", "{#x}", "javascript:alert(1)", "\x9b"]
AUTHORS = ['{: onclick="alert(1)"}', "x](javascript:alert(1))", "&lt;img src=x onerror=alert(1)&gt;",
           "*__[a](javascript:alert(1))__*", "\"onmouseover=\"alert(1)", "`code` {#id}", "王* | 表格"]

BODIES = [RAW_HTML, ATTR_LIST, FENCES, URLS, EXTENSIONS]


def _doc(meta: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body + "\n"


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def write_corpus(root: Path) -> dict[str, list[str]]:
    """Write the corpus archive into root (tickets/, kb/, mkdocs.yml from the repository); returns
    {"tickets": ids, "articles": ids}."""
    repo = Path(__file__).resolve().parents[1]
    (root / "mkdocs.yml").write_text((repo / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "kb" / "images").mkdir(parents=True, exist_ok=True)
    (root / "kb" / "images" / "ok.png").write_bytes((repo / "kb" / "images" / "kb0001-permission.png").read_bytes())
    (root / "kb" / "x.png").write_bytes((repo / "kb" / "images" / "kb0001-permission.png").read_bytes())
    (root / "kb" / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    (root / "kb" / "evil.html").write_text("<script>alert(1)</script>")
    (root / "tickets" / "2023" / "10").mkdir(parents=True, exist_ok=True)
    (root / "tickets" / "2023" / "10" / "x.png").write_bytes((root / "kb" / "x.png").read_bytes())
    bodies = [vectors for group in BODIES for vectors in _chunks(group, 8)]
    tickets, articles = [], []
    n_tickets = max(len(bodies), len(TITLES))
    for i in range(n_tickets):
        tid = f"TS20231027{i + 1:04d}"
        title = TITLES[i % len(TITLES)]
        vectors = bodies[i % len(bodies)]
        meta = {
            "id": tid, "title": title, "type": "fault", "priority": "P1" if i % 2 else "P3",
            "created": "2023-10-27 10:00", "responded": "2023-10-27 10:05", "located": "2023-10-27 10:10",
            "status": "resolved" if i % 3 else "pending", "resolved": "2023-10-27 12:00",
            "channel": "phone", "source": TITLES[(i + 1) % len(TITLES)], "assignee": TITLES[(i + 2) % len(TITLES)],
            "customer": {"name": "赵*", "contact": "13800001111", "department": TITLES[(i + 3) % len(TITLES)]},
            "environment": {"os": TITLES[(i + 4) % len(TITLES)], "browser": "<img src=x onerror=alert('env')>"},
            "tags": [TAGS[i % len(TAGS)], TAGS[(i + 5) % len(TAGS)]],
            "solution": TITLES[(i + 5) % len(TITLES)], "satisfaction": "dissatisfied",
            "feedback": TITLES[(i + 6) % len(TITLES)], "escalated_to": TITLES[(i + 7) % len(TITLES)],
            "kb": f"KB{(i % 4) + 1:04d}",
            "log": [{"at": "2023-10-27 10:05", "by": TITLES[(i + 8) % len(TITLES)],
                     "action": TITLES[(i + 9) % len(TITLES)]}],
            "backup": "<img src=x onerror=alert('backup')>",
            "verification": {"functional": True, "performance": "{: onclick=alert(1)}"},
        }
        if i % 3 == 0:
            for key in ("resolved", "satisfaction", "feedback"):
                meta.pop(key)
        if i and i % 5 == 0:
            meta["related"] = [f"TS20231027{i:04d}"]
        body = "## 问题描述\n\n" + "\n\n".join(vectors) + "\n\n## 处理步骤\n\n1. 检查。\n"
        path = root / "tickets" / "2023" / "10" / f"{tid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_doc(meta, body), encoding="utf-8")
        tickets.append(tid)
    for j in range(len(bodies)):
        kid = f"KB{j + 1:04d}"
        meta = {"id": kid, "title": TITLES[(j * 3) % len(TITLES)], "status": "published",
                "tags": [TAGS[(j * 2) % len(TAGS)], TAGS[(j * 2 + 1) % len(TAGS)]],
                "owner": TITLES[(j * 3 + 1) % len(TITLES)],
                "applies_to": {"versions": [TITLES[(j + 2) % len(TITLES)]], "permissions": ["{: onclick=alert(1)}"],
                               "note": "<img src=x onerror=alert('note')>"},
                "tickets": [tickets[j]], "review_by": "2020-01-01"}
        body = ("## 问题描述\n\n" + "\n\n".join(bodies[j]) + "\n\n## 原因分析\n\n原因。\n\n## 解决步骤\n\n"
                "1. 步骤。\n\n![ok](images/ok.png)\n\n[svg](evil.svg) [html](evil.html)\n")
        (root / "kb" / f"{kid}-x.md").write_text(_doc(meta, body), encoding="utf-8")
        articles.append(kid)
    return {"tickets": tickets, "articles": articles}
