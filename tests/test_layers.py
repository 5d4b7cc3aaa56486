"""The import-linter contracts in pyproject.toml hold: stages import only downwards, only repo/ imports git."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """The contract is live: a copy of the package where archive/ imports site/ fails the lint."""
    shutil.copytree(REPO / "tsgen", tmp_path / "tsgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "tsgen" / "archive" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nfrom tsgen.site import render  # upward\n",
                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-c",
                             "import sys; sys.path.insert(0, '.'); from importlinter.cli import lint_imports_command;"
                             "sys.argv=['lint-imports','--no-cache']; lint_imports_command()"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "tsgen.archive.model -> tsgen.site.render" in result.stdout
