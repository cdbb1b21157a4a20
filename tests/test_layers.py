"""The pure core (catalog, grading, learning) never imports streamlit or sqlalchemy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("catalog", "grading", "learning")
FORBIDDEN = ("streamlit", "sqlalchemy", "alembic", "psycopg", "pandas")


@pytest.mark.parametrize("layer", PURE)
def test_source_has_no_forbidden_import(layer) -> None:
    for path in (ROOT / "trainer" / layer).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path}: imports {name}"


def test_importing_the_core_loads_no_forbidden_module() -> None:
    code = (
        "import sys, trainer.catalog, trainer.grading, trainer.learning;"
        f"bad=[m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
