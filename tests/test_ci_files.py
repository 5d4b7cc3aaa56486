"""The ready-made CI files: they parse, the tsgen commands they run exist with those options, and the
copies `tsgen init` writes into new archives are the same pipelines (installing tsgen-kb as pinned in
the archive's requirements.txt)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import assert_clean, run_cli
from tsgen.cli import main
from tsgen.templating import environment

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github" / "workflows" / "tsgen.yml"
GITLAB = REPO / ".gitlab-ci.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"


def init_copy(name: str) -> str:
    """A CI file as `tsgen init` writes it (rendered through the same Jinja environment)."""
    return environment(None).get_template(f"init/{name}").render(site_name="技术支持知识库")


def scripts(node: Any) -> Iterator[str]:
    """Every shell line of a workflow: GitHub `run:` values and GitLab `script`/`before_script` items."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield from value.splitlines()
            elif key in ("script", "before_script") and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


def tsgen_commands(data: Any) -> list[list[str]]:
    return [shlex.split(line, comments=True) for line in scripts(data) if line.lstrip().startswith("tsgen ")]


def assert_commands_exist(commands: list[list[str]]) -> None:
    listed = run_cli(["--help"]).output
    for argv in commands:
        name = argv[1]
        assert re.search(rf"^\s+{name}\s", listed, re.M), f"`tsgen {name}` is not in `tsgen --help`"
        command = main.commands[name]
        options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for token in argv[2:]:
            if token.startswith("--"):
                assert token.split("=")[0] in options, f"`tsgen {name}` has no option {token}"


def github_files() -> list[tuple[str, str]]:
    return [("repository", GITHUB.read_text(encoding="utf-8")), ("tsgen init", init_copy("github-workflow.yml"))]


def gitlab_files() -> list[tuple[str, str]]:
    return [("repository", GITLAB.read_text(encoding="utf-8")), ("tsgen init", init_copy("gitlab-ci.yml"))]


@pytest.mark.parametrize("origin,text", github_files(), ids=["repository", "init"])
def test_github_workflow(origin: str, text: str) -> None:
    data = yaml.safe_load(text)
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) >= {"pull_request", "push"} and triggers["push"]["branches"] == ["main"]
    jobs = data["jobs"]
    checkout = [s for s in jobs["validate"]["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout and checkout[0]["with"]["fetch-depth"] == 0
    commands = tsgen_commands(data)
    assert ["tsgen", "validate", "--format", "github", "--base", "origin/$BASE_REF"] in commands
    assert jobs["validate"]["steps"][-1]["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert ["tsgen", "build"] in commands
    uses = [s.get("uses", "") for job in jobs.values() for s in job.get("steps", [])]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    cached = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cached and cached[0]["with"]["path"].split() == [".tsgen", "site"], "kept for an incremental build"
    assert {"pages": "write", "id-token": "write"} == jobs["deploy"]["permissions"]
    assert_commands_exist(commands)


@pytest.mark.parametrize("origin,text", gitlab_files(), ids=["repository", "init"])
def test_gitlab_ci(origin: str, text: str) -> None:
    data = yaml.safe_load(text)
    assert data["variables"]["GIT_DEPTH"] == 0
    assert data["validate"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert data["pages"]["artifacts"]["paths"] == ["public"]
    assert "cp -r site public" in data["pages"]["script"]
    assert data["pages"]["cache"][0]["paths"] == [".tsgen", "site"], "kept for an incremental build"
    commands = tsgen_commands(data)
    assert ["tsgen", "validate", "--base", "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] in commands
    assert ["tsgen", "build"] in commands
    assert_commands_exist(commands)


def test_init_copies_differ_only_in_how_tsgen_is_installed() -> None:
    def install_free(text: str) -> str:
        data = yaml.safe_load(text)
        text = yaml.safe_dump(data, allow_unicode=True)
        return re.sub(r"pip install (-r )?\S+", "pip install <tsgen>", text)

    def without_pip_cache(text: str) -> str:  # archives have no pyproject.toml to key a pip cache on
        return re.sub(r"\n\s+cache: pip\n\s+cache-dependency-path: pyproject.toml", "", text)

    assert install_free(without_pip_cache(GITHUB.read_text(encoding="utf-8"))) == \
        install_free(init_copy("github-workflow.yml"))
    assert install_free(GITLAB.read_text(encoding="utf-8")) == install_free(init_copy("gitlab-ci.yml"))
    assert "pip install -r requirements.txt" in init_copy("github-workflow.yml")  # the archive's pinned tsgen-kb
    assert "pip install ." in GITHUB.read_text(encoding="utf-8")


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "tsgen-validate")
    assert (hook["language"], hook["entry"], hook["pass_filenames"]) == ("python", "tsgen validate", False)
    files = re.compile(hook["files"])
    assert files.search("tickets/2023/10/TS202310270001.md") and files.search("kb/KB0001-x.md")
    assert not files.search("README.md") and not files.search("docs/tickets/x.md")
    assert_commands_exist([shlex.split(hook["entry"])])


def test_the_sample_archive_passes_validate_in_github_format() -> None:
    result = run_cli(["validate", "--root", REPO, "--format", "github"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert all(line.startswith("::warning file=") for line in result.stdout.splitlines()), result.stdout
