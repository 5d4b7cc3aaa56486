"""Customer data (data-contract section 4): the normalised view, masking, the privacy lint, validate's
errors and warnings, and a corpus of leak variants built into a site that is then searched, decoded,
for every customer's name and contact in all their forms."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings, strategies as st

from conftest import TICKET_PATH, kb_text, line_of, run_cli, ticket_text, write
from tsgen.archive import privacy
from tsgen.archive.link import link
from tsgen.archive.model import Archive, Article, LogEntry, Ticket
from tsgen.archive.privacy import Masker, Secrets, fold, personal_data, view
from tsgen.config import Config, load_config
from tsgen.site.build import build_site
from tsgen.site.render import SiteRenderer
from tsgen.templating import environment

REPO = Path(__file__).resolve().parents[1]
MASK = "〔已隐藏〕"


def masker(name: str = "", contact: str = "", language: str = "zh") -> Masker:
    secrets = Secrets()
    if name:
        secrets.add_name(name)
    if contact:
        secrets.add_contact(contact)
    return Masker(secrets, language)


# --- the normalised view ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("  张三 ", "张三"),
    ("张**三**", "张三"), ("张<b>三</b>", "张三"), ("张_三_", "张三"), ("`张`三", "张三"), ("张~~三~~", "张三"),
    ("&#x5F20;三", "张三"), ("&#24352;&#19977;", "张三"), ("%E5%BC%A0%E4%B8%89", "张三"),
    ("张\u200b三", "张三"), ("张\ufeff三", "张三"), ("张\u2060三", "张三"), ("张 三", "张三"), ("张\u3000三", "张三"),
    ("ＺＨＡＮＧ　Ｓａｎ", "zhang san"), ("Zhang   SAN", "zhang san"), ("Zhang\\_San", "zhangsan"),
    ("１３８－００１３", "138-0013"), ("Wang&amp;Co", "wang&co"),
])
def test_fold_normalises(text: str, expected: str) -> None:
    assert fold(text).strip() == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("张三ab AB*_~`<>/&#;x5F20%E5BC\\\u200b\u3000１２\n-.@")) , max_size=40)
       | st.text(max_size=40))
def test_view_is_fold_with_source_offsets(text: str) -> None:
    v, starts, ends = view(text)
    assert v == fold(text)
    assert len(starts) == len(ends) == len(v)
    assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends))
    assert starts == sorted(starts)


# --- masking --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("客户张三来电", f"客户{MASK}来电"),
    ("客户张**三**来电", f"客户{MASK}**来电"),             # the span that normalises to the name; the rest stays
    ("客户张<b>三</b>来电", f"客户{MASK}</b>来电"),
    ("客户&#x5F20;&#x4E09;来电", f"客户{MASK}来电"),
    ("客户张\u200b三来电", f"客户{MASK}来电"),
    ("客户张 三来电", f"客户{MASK}来电"),
    ("[张三](mailto:x)", f"[{MASK}](mailto:x)"),
    ("```\n张三\n```", f"```\n{MASK}\n```"),                # code is published too
    ("images/%E5%BC%A0%E4%B8%89.png", f"images/{MASK}.png"),
    ("张三丰", f"{MASK}丰"),
])
def test_a_chinese_name_is_masked_in_any_form(text: str, expected: str) -> None:
    assert masker(name="张三").text(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("call Zhang San today", f"call {MASK} today"),
    ("ＺＨＡＮＧ ＳＡＮ", MASK),
    ("zhang  san", MASK),
    ("Zhang Sanders", "Zhang Sanders"),                     # a longer word is another word
])
def test_a_latin_name_is_masked_case_and_width_insensitively(text: str, expected: str) -> None:
    assert masker(name="Zhang San").text(text) == expected


@pytest.mark.parametrize("text", [
    "13800138000", "138 0013 8000", "138-0013-8000", "138.0013.8000", "１３８００１３８０００", "１３８ ００１３ ８０００",
    "138\u200b0013\u200b8000", "1380013&#56;000", "%31%33%38%30%30%31%33%38%30%30%30",
])
def test_a_mobile_number_is_masked_in_any_form(text: str) -> None:
    out = masker(contact=" 138-0013-8000 ").text(f"电话：{text}。")
    assert out == f"电话：{MASK}。", out


def test_a_phone_with_a_country_code_keeps_the_code_only() -> None:
    m = masker(contact="13800138000")
    assert m.text("+86 138 0013 8000") == f"+{MASK}"
    assert m.text("008613800138000") == f"00{MASK}"
    assert m.text("订单 213800138000999") == f"订单 2{MASK}999"   # inside a longer run: still masked


def test_a_landline_is_masked_with_or_without_its_area_code() -> None:
    m = masker(contact="021-5432 1000")
    for form in ("02154321000", "(021) 5432-1000", "（０２１）５４３２１０００", "5432-1000", "+86 21 5432 1000"):
        out = m.text(f"打 {form} 找")
        assert MASK in out and not re.search(r"\d", unicodedata.normalize("NFKC", out)), (form, out)


@pytest.mark.parametrize("text", [
    "<zhang.san@corp.cn>", "ZHANG.SAN@CORP.CN", "mailto:Zhang.San@corp.cn", "zhang.san＠corp.cn",
    "zhang&#46;san@corp.cn", "ｚｈａｎｇ.ｓａｎ@corp.cn",
])
def test_an_email_address_is_masked_case_insensitively(text: str) -> None:
    out = masker(contact="Zhang.San@Corp.CN").text(f"邮箱 {text} 。")
    assert "zhang" not in fold(out) and MASK in out, out


def test_other_contact_words_and_short_numbers() -> None:
    m = masker(contact="微信 zhang_san88 / QQ 123456")
    assert m.text("加微信zhang_san88") == f"加微信{MASK}"
    assert m.text("QQ：123456") == f"QQ：{MASK}"
    assert m.text("版本 1234567") == "版本 1234567"             # a longer number is not the QQ number
    assert m.text("微信") == "微信"                              # the label alone is not the contact


def test_a_name_masked_the_guides_way_is_not_published_either() -> None:
    m = masker(name="张*")
    assert m.text("联系人张*，工程师王工") == f"联系人{MASK}，工程师王工"
    assert masker(name="赵").text("赵工") == "赵工"               # a one-character name is not looked for


def test_the_mask_is_inert_text_in_the_site_language() -> None:
    assert masker(name="张三", language="en").text("张三") == "〔hidden〕"
    for mask in privacy.MASKS.values():
        assert not re.search(r"[*_`\[\]<>&#{}~\\]", mask)


# --- the lint -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("手机 13800138000", "mobile"), ("手机 138-0013-8000", "mobile"), ("手机 +86 138 0013 8000", "mobile"),
    ("手机 １３８００１３８０００", "mobile"), ("手机 138\u200b0013\u200b8000", "mobile"),
    ("座机 021-54321000", "landline"), ("座机 (0755) 8600 1234", "landline"), ("座机 010 6552 9988", "landline"),
    ("邮箱 li.si@corp.cn", "email"), ("邮箱 <LI@Corp.COM>", "email"), ("邮箱 li＠corp.cn", "email"),
    ("身份证 11010519491231002X", "id"), ("身份证 11010519491231002x", "id"),
])
def test_personal_data_is_found(text: str, kind: str) -> None:
    assert [k for _, k, _ in personal_data(text)] == [kind]


@pytest.mark.parametrize("text", [
    "2023-10-27 10:00", "订单号 20231027100000123", "版本 3.2.10", "110105194912310021",  # wrong check digit
    "user@example.com", "a@b.test", "工单 TS202310270001", "热线 400-820-8820", "1380013800012",
])
def test_things_that_are_not_personal_data(text: str) -> None:
    assert list(personal_data(text)) == []


# --- validate: errors and warnings with file, line and field --------------------------------------------------------

def validate(root: Path, *args: str) -> list[str]:
    result = run_cli(["validate", "--root", str(root), *args])
    assert "Traceback" not in result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize("written, shown", [("02154321", "02154321"), ("13800138000", "13800138000")])
def test_an_unquoted_contact_is_an_error_that_says_to_quote_it(archive_root: Path, written: str, shown: str) -> None:
    text = ticket_text(extra=["customer:", "  name: 张三", f"  contact: {written}"])
    write(archive_root, TICKET_PATH, text)
    line = line_of(text, "  contact:")
    assert validate(archive_root) == [
        f"{TICKET_PATH}:{line}: error: customer.contact: must be text in quotes: YAML read {shown} as a number "
        f"({int(written, 8) if written.startswith('0') else int(written)}), so it would not be recognised and "
        f"masked where it is repeated; write contact: \"{shown}\""]


def test_a_tag_with_the_customers_name_or_contact_is_an_error(archive_root: Path) -> None:
    text = ticket_text(tags="[权限, 张 三, '138-0013-8000', 登录]",
                       extra=["customer:", "  name: 张三", "  contact: '13800138000'"])
    write(archive_root, TICKET_PATH, text)
    line = line_of(text, "tags:")
    message = ("a tag must not hold the customer's name or contact (tags become page names, titles and URLs "
               "of the site); remove it")
    assert validate(archive_root) == [f"{TICKET_PATH}:{line}: error: tags[1]: {message}",
                                      f"{TICKET_PATH}:{line}: error: tags[2]: {message}"]


def test_someone_elses_personal_data_is_a_warning_with_its_line(archive_root: Path) -> None:
    body = "## 问题描述\n\n客户说可以找同事，电话 139 0013 9000。\n\n本人电话 13800138000 已记录。\n"
    text = ticket_text(body=body, title="'登录失败，李四 li.si@corp.cn'",
                       extra=["customer:", "  name: 张三", "  contact: '138-0013-8000'",
                              "log:", "  - at: 2023-10-27 10:05", "    by: 王工", "    action: 身份证 11010519491231002X"])
    write(archive_root, TICKET_PATH, text)
    out = validate(archive_root)
    tail = ("someone's personal data must not be published; remove it, or list a public number in privacy_allow "
            "(mkdocs.yml, extra: tsgen:)")
    whose = "that is not this ticket's customer contact"
    body_line = line_of(text, "客户说")
    assert out == [
        f"{TICKET_PATH}:3: warning: title: looks like an e-mail address (li.…cn) {whose}: {tail}",
        f"{TICKET_PATH}:{line_of(text, '  - at:')}: warning: log[0].action: looks like an ID-card number (110…2X) "
        f"{whose}: {tail}",
        f"{TICKET_PATH}:{body_line}: warning: body: looks like a mobile phone number (139…00) {whose}: {tail}",
    ]   # the customer's own number (line after) is masked on the site, not warned about


def test_privacy_allow_lists_public_numbers(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(body="## 问题描述\n\n请拨打服务热线 021-6000 8000 或 support@corp.cn。\n"))
    assert len(validate(archive_root)) == 2
    write(archive_root, "mkdocs.yml", "site_name: t\nextra:\n  tsgen:\n"
                                      "    privacy_allow: ['(021) 60008000', 'Support@Corp.CN']\n")
    assert validate(archive_root) == []
    write(archive_root, "mkdocs.yml", "site_name: t\nextra:\n  tsgen:\n    privacy_allow: [02154321]\n")
    result = run_cli(["validate", "--root", str(archive_root)])
    assert result.exit_code == 1 and "privacy_allow: expected a list of phone numbers or addresses in quotes" \
        in result.stderr


def test_a_kb_article_with_personal_data_is_warned_about(archive_root: Path) -> None:
    path = "kb/KB0001-x.md"
    text = kb_text(body="## 问题描述\n\n联系 13900139000\n\n## 原因分析\n\nx\n\n## 解决步骤\n\nx\n", owner="'wang@corp.cn'")
    write(archive_root, path, text)
    out = validate(archive_root)
    assert [o.split(": warning: ")[0] + ": " + o.split(": warning: ")[1].split(":")[0] for o in out] == [
        f"{path}:{line_of(text, 'owner:')}: owner", f"{path}:{line_of(text, '联系')}: body"]


# --- defence in depth: the renderer masks even what validate would have stopped (a tag) ----------------------------

def test_tag_pages_titles_and_urls_are_masked(tmp_path: Path) -> None:
    config = Config()
    t = Ticket(id="TS202310270001", path="tickets/2023/10/TS202310270001.md", title="张三的电话 13800138000",
               type="fault", priority="P2", created=__import__("tsgen.archive.clock", fromlist=["x"]).parse_datetime(
                   "2023-10-27 10:00", config.tz), status="pending", tags=["13800138000", "张**三**"],
               customer={"name": "张三", "contact": "13800138000", "department": "财务部"}, body="张三")
    archive = Archive(root=tmp_path, config=config, tickets={t.id: t})
    link(archive, known_tickets={t.id}, known_kb=set())
    pages = SiteRenderer(archive, environment(tmp_path)).render().pages
    for page in pages:
        for text in (page.path, page.text, unquote(page.path)):
            assert "13800138000" not in text and "张三" not in fold(html.unescape(text)), page.path
    assert f"lists/tag/{MASK}.md" in {p.path for p in pages}


# --- the corpus: every leak class, built into a site, then every file searched ----------------------------------------

CUSTOMERS = {  # ticket -> (name as written, contact as written)
    "TS202310270001": ("  欧阳娜娜 ", "13812345678"),
    "TS202310270002": ("李小龙", "Bruce.Lee@Dragon.CN"),
    "TS202310270003": ("Wang Lei", "021-5432 1000"),
    "TS202310270004": ("司马*", "微信 simayi_2023 / QQ 8765432"),
}

LEAKS = {
    "TS202310270001": dict(
        title="欧阳娜娜反馈无法登录（138 1234 5678）", source="欧阳娜娜（财务部）", assignee="王工",
        solution="电话 138-1234-5678 告知欧阳娜娜", feedback="我是欧 阳娜娜，谢谢", env="欧阳娜娜家里的宽带",
        log_by="欧阳\u200b娜娜", log_action="回拨 +86 １３８ １２３４ ５６７８",
        body="联系人 **欧阳**娜娜，电话 138\u200b1234\u200b5678，&#27431;&#38451;娜娜确认。\n\n`13812345678`\n\n"
             "```\n欧阳娜娜 13812345678\n```\n\n![截图](images/欧阳娜娜.png)\n"),
    "TS202310270002": dict(
        title="李<b>小龙</b>的导出问题", source="客户B", assignee="李工", solution="已邮件 <Bruce.Lee@Dragon.CN>",
        feedback="李&#x5C0F;龙：满意", env="BRUCE.LEE@DRAGON.CN 的电脑", log_by="王工",
        log_action="mailto:bruce.lee@dragon.cn 回复李_小龙_",
        body="李~~小龙~~ 发来 [邮件](mailto:Bruce.Lee@Dragon.CN)，<bruce.lee@dragon.cn>，%E6%9D%8E%E5%B0%8F%E9%BE%99。\n"),
    "TS202310270003": dict(
        title="WANG LEI cannot print", source="Customer C", assignee="Zhao", solution="Called (021) 5432-1000",
        feedback="— Ｗａｎｇ　Ｌｅｉ", env="wang  lei's laptop", log_by="Zhao", log_action="rang 54321000 and 02154321000",
        body="Wang\\_Lei said: call +86 21 5432 1000 or （０２１）５４３２１０００. W&#97;ng Lei.\n"),
    "TS202310270004": dict(
        title="司马*的需求", source="客户D", assignee="王工", solution="加微信 simayi_2023 沟通",
        feedback="QQ 8765432", env="simayi\\_2023", log_by="王工", log_action="QQ：8765432",
        body="司马* 的微信是 simayi_2023，QQ 8765432；另见 欧阳娜娜 的工单。\n"),
}


def _ticket_file(tid: str) -> str:
    name, contact = CUSTOMERS[tid]
    leak = LEAKS[tid]
    meta = {
        "id": tid, "title": leak["title"], "type": "fault", "priority": "P2", "created": "2023-10-27 10:00",
        "status": "pending", "source": leak["source"], "assignee": leak["assignee"], "solution": leak["solution"],
        "feedback": leak["feedback"], "satisfaction": "dissatisfied",
        "customer": {"name": name, "department": "财务部", "contact": contact},
        "environment": {"os": "Windows 11", "network": leak["env"]},
        "log": [{"at": "2023-10-27 10:05", "by": leak["log_by"], "action": leak["log_action"]}],
        "tags": ["登录"],
    }
    return "---\n" + json.dumps(meta, ensure_ascii=False, indent=1) + "\n---\n\n## 问题描述\n\n" + leak["body"]


KB_BODY = ("## 问题描述\n\n欧阳娜娜（13812345678）与 李小龙 <bruce.lee@dragon.cn> 遇到的问题；Wang Lei 的座机 021-54321000；"
           "微信 simayi_2023。\n\n![截图](images/欧阳娜娜.png)\n\n## 原因分析\n\n司马* 说明。\n\n## 解决步骤\n\n1. 处理。\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("privacy")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for tid in CUSTOMERS:
        write(root, f"tickets/2023/10/{tid}.md", _ticket_file(tid))
    write(root, "tickets/2023/10/images/欧阳娜娜.png", b"\x89PNG\r\n\x1a\n")
    write(root, "kb/KB0001-login.md", kb_text(title="'欧阳娜娜和 Wang Lei 的登录问题'", tickets="[TS202310270001]",
                                              tags="[登录]", body=KB_BODY))
    write(root, "kb/images/欧阳娜娜.png", b"\x89PNG\r\n\x1a\n")
    check = run_cli(["validate", "--root", str(root)])
    assert check.exit_code == 0, check.output
    build_site(root, load_config(root))
    return root


def _decoded(path: Path) -> str:
    raw = path.read_bytes().decode("utf-8", errors="replace")
    text = raw + "\n" + html.unescape(raw) + "\n" + unquote(html.unescape(raw))
    if path.suffix == ".json":
        text += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
    return text


def _forms(folded: str) -> tuple[str, str]:
    """The folded text without any separators (for names) and its digits with separators dropped (for numbers)."""
    names = re.sub(r"[\s*_~`<>/\\]", "", folded)
    numbers = re.sub(r"(?<=\d)[\s\-.()+]+(?=\d)", "", folded)
    return names, numbers


def _secret_forms() -> list[str]:
    forms = []
    for name, contact in CUSTOMERS.values():
        forms.append(re.sub(r"\s", "", fold(name)))
        forms.append(unicodedata.normalize("NFKC", name.strip()))   # 司马* as written
    forms += ["13812345678", "bruce.lee@dragon.cn", "brucelee@dragon.cn", "02154321000", "54321000",
              "simayi2023", "simayi_2023", "8765432"]
    return forms


def test_no_customer_name_or_contact_anywhere_in_the_built_site(corpus: Path) -> None:
    files = [p for folder in ("site", ".tsgen") for p in (corpus / folder).rglob("*")]
    assert any(p.name == "pagefind-entry.json" for p in files), "the search index is checked too"
    leaks = []
    for path in files:
        names = [unquote(str(path.relative_to(corpus)))]
        if path.is_file() and path.suffix in (".html", ".md", ".json", ".yml", ".xml", ".txt", ".js", ".css", ".svg"):
            names.append(_decoded(path))
        elif path.is_file() and path.suffix.startswith(".pf_"):   # Pagefind's gzip'd index files
            data = path.read_bytes()
            names.append((gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace"))
        for text in names:
            folded = fold(text)
            squeezed, numbers = _forms(folded)
            for form in _secret_forms():
                if form in folded or form in squeezed or form in numbers or form in text:
                    leaks.append((str(path.relative_to(corpus)), form))
    assert not leaks, sorted(set(leaks))[:20]


def test_the_masked_pages_keep_the_rest_of_the_text(corpus: Path) -> None:
    page = (corpus / "site/tickets/TS202310270001/index.html").read_text(encoding="utf-8")
    assert f"{MASK}反馈无法登录" in page and "财务部" in page and "确认" in page
    assert "***" not in page
    kb = (corpus / "site/kb/KB0001/index.html").read_text(encoding="utf-8")
    assert f"{MASK}和 {MASK} 的登录问题" in kb
    assert (corpus / f"site/kb/images/{MASK}.png").is_file()      # the image, renamed as its link is
    other = (corpus / "site/tickets/TS202310270004/index.html").read_text(encoding="utf-8")
    assert f"另见 {MASK} 的工单" in other                         # another ticket's customer: masked too


@pytest.mark.parametrize("tag", ["张三", "张 三", "&#x5F20;三", "张\u200b三", "张**三**", "客户张三", "13800138000",
                                 "138-0013-8000", "１３８００１３８０００", "zhang.san@corp.cn", "ZHANG.SAN@CORP.CN"])
def test_a_tag_holding_the_customer_in_any_form_is_found(tag: str) -> None:
    customer = {"name": "张三", "contact": "13800138000 / Zhang.San@corp.cn"}
    assert privacy.tags_holding_customer(["权限", tag], customer) == [1]


def test_tags_without_the_customer_are_not_flagged() -> None:
    customer = {"name": "Zhang San", "contact": "wx: zhangsan_88"}
    assert privacy.tags_holding_customer(["权限", "数据库", "zhang", "login"], customer) == []
    assert privacy.tags_holding_customer(["ZhangSan"], customer) == [0]
    assert privacy.tags_holding_customer(["zhangsan88"], customer) == [0]
