"""docs/ARCHITECTURE.md against the code: every module in its table, the layers kept.

Plain file checks, no Home Assistant needed: the module table names every
``.py`` file of the integration (and no file that is gone); the modules it
marks ``core`` import nothing from Home Assistant and nothing of the package
outside the core (parsed with ``ast``, so ``TYPE_CHECKING`` blocks and imports
inside functions count too); a ``feature`` module imports no ``surface`` module
at run time; and the core's list in ruff's TID251 configuration
(``pyproject.toml``) is the table's.
"""

from __future__ import annotations

import ast
from pathlib import Path
import re
import tomllib

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "custom_components" / "hotdesk_phone"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
LAYERS = ("core", "feature", "surface")  # bottom to top
# The one per-file-ignores key that leaves TID251 on for the core's files only.
LINT_KEY = re.compile(r"^!custom_components/hotdesk_phone/\{([a-z_,]+)\}\.py$")


def _table() -> dict[str, str]:
    """Module name (without .py) -> its layer, from the doc's module table."""
    layers: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 3:
            continue
        for module in re.findall(r"`([A-Za-z0-9_]+)\.py`", cells[0]):
            layers[module] = cells[1]
    return layers


def _modules() -> set[str]:
    return {path.stem for path in PACKAGE.glob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(source: str, *, run_time_only: bool = False) -> list[tuple[str, int]]:
    """Each import as (module, level): level 0 absolute, 1 ``from .x``.

    ``from . import a, b`` gives ``a`` and ``b``. With ``run_time_only``,
    imports under ``if TYPE_CHECKING:`` are left out.
    """
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if run_time_only and isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                found.append((node.module, node.level))
            else:
                found.extend((alias.name, node.level) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _core_offences(source: str, core: set[str]) -> list[str]:
    """What a core module must not import: Home Assistant, or the package's rest."""
    offences = []
    for module, level in _imports(source):
        top = module.split(".")[0]
        if level == 0 and top == "homeassistant":
            offences.append(module)
        elif level == 0 and top == "custom_components":
            offences.append(module)  # the package by its absolute name
        elif level == 1 and top not in core:
            offences.append(f".{module}")
        elif level > 1:
            offences.append("." * level + module)
    return offences


def test_every_module_is_in_the_table() -> None:
    table = _table()
    missing = sorted(_modules() - table.keys())
    gone = sorted(table.keys() - _modules())
    assert not missing, (
        f"docs/ARCHITECTURE.md's module table does not name {missing}: add a row "
        "(module, layer core/feature/surface, what it owns)"
    )
    assert not gone, f"docs/ARCHITECTURE.md's table names modules that are gone: {gone}"


def test_every_row_names_a_known_layer() -> None:
    wrong = {m: layer for m, layer in _table().items() if layer not in LAYERS}
    assert not wrong, f"layers must be one of {LAYERS}: {wrong}"


def test_the_check_catches_what_it_should() -> None:
    core = {"const", "directory"}
    assert _core_offences("import homeassistant", core) == ["homeassistant"]
    assert _core_offences(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from homeassistant.core import HomeAssistant\n",
        core,
    ) == ["homeassistant.core"]
    assert _core_offences(
        "def f():\n    import homeassistant.helpers.entity as e\n", core
    ) == ["homeassistant.helpers.entity"]
    assert _core_offences("from .hub import HotdeskHub", core) == [".hub"]
    assert _core_offences("from . import emergency", core) == [".emergency"]
    assert _core_offences("from ..x import y", core) == ["..x"]
    assert _core_offences("from custom_components.hotdesk_phone import hub", core) == [
        "custom_components.hotdesk_phone"
    ]
    assert _core_offences("from .const import DOMAIN\nimport re\n", core) == []
    assert _imports(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .hub import H\n",
        run_time_only=True,
    ) == [("typing", 0)]


@pytest.mark.parametrize(
    "module", sorted(m for m, layer in _table().items() if layer == "core")
)
def test_core_module_imports_no_home_assistant(module: str) -> None:
    core = {m for m, layer in _table().items() if layer == "core"}
    source = (PACKAGE / f"{module}.py").read_text(encoding="utf-8")
    assert not _core_offences(source, core), (
        f"{module}.py is in the pure core (docs/ARCHITECTURE.md) but imports "
        f"{_core_offences(source, core)}"
    )


def test_no_feature_module_imports_the_surface_at_run_time() -> None:
    table = _table()
    surface = {m for m, layer in table.items() if layer == "surface"}
    upward = {
        module: sorted(
            name
            for name, level in _imports(
                (PACKAGE / f"{module}.py").read_text(encoding="utf-8"),
                run_time_only=True,
            )
            if level == 1 and name.split(".")[0] in surface
        )
        for module, layer in table.items()
        if layer == "feature"
    }
    assert not {m: up for m, up in upward.items() if up}, upward


def test_the_lint_rule_bans_home_assistant_in_exactly_the_core() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert "homeassistant" in lint["flake8-tidy-imports"]["banned-api"]
    keys = [
        match.group(1).split(",")
        for key, rules in lint["per-file-ignores"].items()
        if (match := LINT_KEY.match(key)) and "TID251" in rules
    ]
    assert len(keys) == 1, "one per-file-ignores key names the core for TID251"
    core = {m for m, layer in _table().items() if layer == "core"}
    assert set(keys[0]) == core, (
        "pyproject.toml's TID251 list and docs/ARCHITECTURE.md's core rows differ: "
        f"only in pyproject {sorted(set(keys[0]) - core)}, "
        f"only in the doc {sorted(core - set(keys[0]))}"
    )


def _run_time_closure(start: str) -> set[str]:
    """The package's modules a module loads at run time, directly or not."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        source = (PACKAGE / f"{todo.pop()}.py").read_text(encoding="utf-8")
        for name, level in _imports(source, run_time_only=True):
            top = name.split(".")[0]
            if level == 1 and top not in seen and (PACKAGE / f"{top}.py").exists():
                seen.add(top)
                todo.append(top)
    return seen


@pytest.mark.parametrize(
    "flow", sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem.endswith("_flow"))
)
def test_forms_load_neither_the_hub_nor_the_actions(flow: str) -> None:
    """A form checks and stores; it does not load the runtime or the actions."""
    runtime = {"hub", "live", "services", "bulk_services", "__init__"}
    assert not _run_time_closure(flow) & runtime
