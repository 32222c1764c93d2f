"""Write translations/en.json from strings.json, resolving HA's common keys.

HA core resolves ``[%key:...]`` references at build time; a custom
integration ships the resolved text. Run: .venv/bin/python scripts/translations.py
(``--check`` exits 1 when en.json is stale, or when another language file
lacks a key of strings.json, has a key it does not have, or a text whose
placeholders differ from the English ones: HA drops such a text at runtime).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
import sys
from typing import Any

import homeassistant

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "hotdesk_phone"
REFERENCE = re.compile(r"^\[%key:([a-z0-9_:]+)%\]$")


def _lookup(tree: dict[str, Any], path: str) -> str:
    node: Any = tree
    for part in path.split("::"):
        node = node[part]
    return str(node)


def _resolve(node: Any, common: dict[str, Any], own: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _resolve(v, common, own) for k, v in node.items()}
    if isinstance(node, str) and (match := REFERENCE.match(node)):
        path = match.group(1)
        if path.startswith("common::"):
            return _lookup(common, path)
        return _lookup(own, path.partition("::")[2])
    return node


def build() -> str:
    common = json.loads(
        (Path(homeassistant.__file__).parent / "strings.json").read_text()
    )
    own = json.loads((COMPONENT / "strings.json").read_text())
    return json.dumps(_resolve(own, common, own), indent=2, ensure_ascii=False) + "\n"


def _leaves(node: Any, path: str = "") -> dict[str, str]:
    """Every text of a translation tree by its key path (``a::b::c``)."""
    if not isinstance(node, dict):
        return {path: str(node)}
    leaves: dict[str, str] = {}
    for key, value in node.items():
        leaves |= _leaves(value, f"{path}::{key}" if path else key)
    return leaves


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_languages(english: dict[str, Any]) -> list[str]:
    """What each language file lacks or has too many, against English."""
    wanted = _leaves(english)
    problems: list[str] = []
    for path in sorted((COMPONENT / "translations").glob("*.json")):
        if path.name == "en.json":
            continue
        have = _leaves(json.loads(path.read_text()))
        problems += [f"{path.name}: missing {key}" for key in wanted.keys() - have]
        problems += [f"{path.name}: extra {key}" for key in have.keys() - wanted]
        problems += [
            f"{path.name}: placeholders of {key} differ from English"
            for key in wanted.keys() & have.keys()
            if _placeholders(wanted[key]) != _placeholders(have[key])
        ]
    return sorted(problems)


def main() -> int:
    target = COMPONENT / "translations" / "en.json"
    text = build()
    if "--check" in sys.argv:
        status = 0
        if target.read_text() != text:
            print("translations/en.json is stale: run scripts/translations.py")
            status = 1
        for problem in check_languages(json.loads(text)):
            print(problem)
            status = 1
        return status
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
