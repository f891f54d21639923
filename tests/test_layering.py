"""The layering contracts of pyproject.toml (import-linter, run by `make lint`) hold, and they
catch what they exist for: a copy of the code with one forbidden import injected fails."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = [
    "workspaces",
    "touchpoints",
    "contacts",
    "sales",
    "marketing",
    "service",
    "scoring",
    "callcentre",
    "journeys",
    "warehouse",
    "api",
    "webhooks",
]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_layering_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("contacts/services/tags.py", "from contacts.views import contacts", "Services never"),
        ("sales/services/quotas.py", "from sales.forms import quotes", "Services never"),
        ("sales/selectors/deals.py", "from sales.services import deals", "Selectors never"),
        ("contacts/selectors/duplicates.py", "from contacts.services import merging", "Selectors"),
        ("touchpoints/selectors.py", "import contacts.selectors.contacts", "Apps depend"),
        ("contacts/phones.py", "import sales.models", "Apps depend"),
        ("sales/selectors/deals.py", "import marketing.models", "Apps depend"),
        ("contacts/models/contacts.py", "from contacts.selectors import contacts", "Models"),
        ("marketing/selectors/panels.py", "import marketing.services", "Selectors never"),
        ("service/views/areas.py", "import sales.models", "Apps depend"),
        ("marketing/models/__init__.py", "import marketing.views.areas", "Models"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint(tmp_path).returncode == 0  # the copy is as clean as the original
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken, result.stdout
