"""Write translations/en.json from strings.json, resolving HA's common keys.

HA core resolves ``[%key:...]`` references at build time; a custom
integration ships the resolved text. Run: .venv/bin/python scripts/translations.py
(``--check`` exits 1 when en.json is stale).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
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


def main() -> int:
    target = COMPONENT / "translations" / "en.json"
    text = build()
    if "--check" in sys.argv:
        if target.read_text() != text:
            print("translations/en.json is stale: run scripts/translations.py")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
