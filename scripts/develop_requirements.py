"""Print the pip requirements of the integrations config/configuration.yaml loads.

The test requirements do not include what a real HA process needs (the
frontend, PyNaCl for mobile_app, ...); HA's own manifests pin them.
"""

from __future__ import annotations

import json
from pathlib import Path

import homeassistant

ROOTS = [
    "frontend",
    "config",
    "mobile_app",
    "media_source",
    "tag",
    "logbook",
    "history",
    "diagnostics",
    "http",
]
COMPONENTS = Path(homeassistant.__file__).parent / "components"


def main() -> None:
    seen: set[str] = set()
    requirements: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        manifest = json.loads((COMPONENTS / name / "manifest.json").read_text())
        requirements.update(manifest.get("requirements", []))
        todo.extend(manifest.get("dependencies", []))
    print("\n".join(sorted(requirements)))


if __name__ == "__main__":
    main()
