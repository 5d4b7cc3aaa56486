"""How unquoted numbers and dates in text fields are read, and how long values are shown."""

from __future__ import annotations

from pathlib import Path

from conftest import TICKET_PATH, assert_clean, line_of, run_cli, ticket_text, write


def _validate(root: Path) -> list[str]:
    result = run_cli(["validate", "--root", str(root)])
    assert_clean(result)
    return result.stdout.splitlines()


def test_unquoted_float_in_a_text_field_is_a_warning_naming_the_loss(archive_root: Path) -> None:
    text = ticket_text(extra="environment: {os: Windows10, version: 3.10}")
    write(archive_root, TICKET_PATH, text)
    line = line_of(text, "environment:")
    assert _validate(archive_root) == [
        f"{TICKET_PATH}:{line}: warning: environment.version: 3.1 was read as a number; "
        "write it in quotes to keep it exactly as typed"]


def test_unquoted_date_in_a_text_field_is_text(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, ticket_text(extra="backup: 2023-10-27"))
    assert _validate(archive_root) == []


def test_a_huge_wrong_value_is_cut_short_in_the_message(archive_root: Path) -> None:
    text = ticket_text(extra="source: [" + ", ".join(f"客户{i}" for i in range(500)) + "]")
    write(archive_root, TICKET_PATH, text)
    (problem,) = _validate(archive_root)
    assert "source: expected text, got a list ['客户0'" in problem
    assert problem.endswith("…") and len(problem) < 200


def test_a_kb_link_to_a_missing_article_is_an_error_not_also_knowledge_debt(archive_root: Path) -> None:
    text = ticket_text(status="resolved", resolved="2023-10-27 11:00", solution="重启服务", kb="KB0404")
    write(archive_root, TICKET_PATH, text)
    assert _validate(archive_root) == [
        f"{TICKET_PATH}:{line_of(text, 'kb:')}: error: kb: KB article KB0404 does not exist"]


def test_toml_and_json_front_matter_are_named(archive_root: Path) -> None:
    write(archive_root, TICKET_PATH, '+++\ntitle = "x"\n+++\nbody\n')
    assert _validate(archive_root) == [f"{TICKET_PATH}:1: error: TOML (+++) front matter is not supported: "
                                       "write the fields as YAML between two '---' lines"]
    write(archive_root, TICKET_PATH, '{\n"title": "x"\n}\nbody\n')
    assert _validate(archive_root) == [f"{TICKET_PATH}:1: error: JSON front matter is not supported: "
                                       "write the fields as YAML between two '---' lines"]


def test_new_files_are_standard_front_matter_other_tools_read(archive_root: Path) -> None:
    """python-frontmatter (what MkDocs plugins, Obsidian exports and scripts use) reads what `new` writes."""
    import frontmatter

    result = run_cli(["new", "ticket", "--root", str(archive_root), "--title", "标题: 含冒号", "--created",
                      "2023-11-02 09:30", "--tag", "权限"])
    assert result.exit_code == 0, result.output
    post = frontmatter.load(archive_root / result.stdout.strip())
    assert post["id"] == "TS202311020001" and post["title"] == "标题: 含冒号" and post["tags"] == ["权限"]
    assert "## 问题描述" in post.content
