"""The bulk import in Home Assistant's terms: an entry's rows, the report, the counts.

Shared by the import step of the options flow and the ``import_directory``
action, so that neither the form loads the actions nor the other way round.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .bulk import BulkImportError, Existing, ImportPlan
from .const import DOMAIN

# Bad rows listed in the error message at most (the count says the rest).
MAX_REPORTED_ROWS: Final = 50


def existing_of(entry: ConfigEntry) -> list[Existing]:
    """The entry's subentries in the bulk module's terms."""
    return [
        Existing(sub.subentry_id, sub.subentry_type, sub.title, sub.data)
        for sub in entry.subentries.values()
    ]


async def async_report(hass: HomeAssistant, err: BulkImportError) -> str:
    """Every bad row as a line of text, in HA's language."""
    strings = await async_get_translations(
        hass, hass.config.language, "exceptions", [DOMAIN]
    )

    def message(key: str, placeholders: dict[str, str]) -> str:
        template = strings.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
        # A template naming a placeholder this row lacks shows it empty.
        return template.format_map(defaultdict(str, placeholders))

    return "\n".join(
        message(
            "bulk_row",
            {
                "line": str(row.line),
                "column": row.column,
                "reason": message(row.code, dict(row.placeholders)),
            },
        )
        for row in err.errors[:MAX_REPORTED_ROWS]
    )


def plan_summary(plan: ImportPlan) -> dict[str, Any]:
    """Counts of what an import does."""
    return {
        "created": len(plan.create),
        "updated": len(plan.update),
        "removed": len(plan.remove),
        "unchanged": plan.unchanged,
    }
