"""Infrastructure imports no app: publication/ (caches, the Redis policy, sessions,
logging, generic middleware, settings and the URLconf) names the apps by string only,
and the posts' app does not reach into the letters' admin."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = {"articles", "members", "letters", "ghost", "menus", "outbox"}


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, at its top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_infrastructure_package_imports_no_app():
    found = {
        str(path.relative_to(ROOT)): sorted(imported(path) & APPS)
        for path in (ROOT / "publication").rglob("*.py")
    }
    assert {path: apps for path, apps in found.items() if apps} == {}


def test_the_posts_app_does_not_import_the_letters():
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "articles").rglob("*.py")
        if "letters" in imported(path)
    }
    assert found == set()
