"""The like-for-like floor: Home Assistant's cost of the integration's own entities.

``bench/floor.py`` compares the office with plain sensors. This variant
(``floor.py --like SPEC``) makes, per owner, the very entities the office
has: the same platforms (sensor, switch, event, button, binary sensor), one
``async_add_entities`` call per subentry and platform, the same translation
keys and names, entity categories, device classes, capabilities, states and
state attributes (those of one sample owner per kind, as ``bench/scale.py``
read them after its setup), written once and never again; an entity that
restores its last state reads it as the office's does. Nothing else runs:
no connection, no listener, no directory. Its setup time is what Home
Assistant needs for these entities alone, so the integration's figure over
it is the integration's own work, and this floor over the plain one is what
the richer entities cost Home Assistant.

``entity_kinds`` builds SPEC from a set-up office; ``write_like`` writes the
generated platforms beside ``floor.py``'s package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Attributes Home Assistant writes itself from the entity's properties.
OWN_ATTRIBUTES = (
    "friendly_name",
    "icon",
    "device_class",
    "unit_of_measurement",
    "supported_features",
    "event_type",
)

COMMON = '''"""Entities like the office's: fixed states, pushed never."""
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityCategory
from homeassistant.helpers.restore_state import RestoreEntity

DOMAIN = "hotdesk_floor"
OWN = set(%(own)r)


def restoring(cls):
    """``cls`` that reads its last state when added, as the office's does."""

    class Restoring(cls, RestoreEntity):
        async def async_added_to_hass(self):
            await super().async_added_to_hass()
            await self.async_get_last_state()

    return Restoring


def setup(platform, make):
    """A platform's setup: one call per owner that has entities on it."""
    restored = restoring(make)

    async def async_setup_entry(hass, entry, async_add_entities):
        kinds = entry.data["like"]

        def entities(owner, title, kind):
            return [
                (restored if spec["restore"] else make)(owner, title, spec)
                for spec in kinds.get(kind, [])
                if spec["domain"] == platform
            ]

        if hub := entities(entry.entry_id, "PBX", "hub"):
            async_add_entities(hub)
        for subentry_id, sub in entry.subentries.items():
            if made := entities(subentry_id, sub.title, sub.subentry_type):
                async_add_entities(made, config_subentry_id=subentry_id)

    return async_setup_entry


def init(entity, owner, title, spec):
    """What every platform's entity sets alike."""
    entity._attr_should_poll = False
    entity._attr_has_entity_name = True
    entity._attr_unique_id = f"{owner}_{spec['key']}"
    entity._attr_translation_key = spec["translation_key"]
    entity._attr_entity_registry_enabled_default = spec["enabled"]
    if spec["category"]:
        entity._attr_entity_category = EntityCategory(spec["category"])
    entity._attr_device_class = spec["device_class"]
    entity._attr_device_info = DeviceInfo(identifiers={(DOMAIN, owner)}, name=title)
    skip = OWN | set(spec["capabilities"])
    extra = {k: v for k, v in spec["attributes"].items() if k not in skip}
    entity._attr_extra_state_attributes = extra
'''

PLATFORM = """from homeassistant.components.{platform} import {base}
from .common import init, setup


class Like({base}):
    def __init__(self, owner, title, spec):
        init(self, owner, title, spec)
{body}

async_setup_entry = setup("{platform}", Like)
"""

IS_ON = """        self._attr_is_on = spec["state"] == "on"
"""

# Per platform: the entity base class and what its entity sets or answers
# beyond ``init`` (actions are never asked in the benchmark).
PLATFORMS = {
    "sensor": (
        "SensorEntity",
        """        capabilities = spec["capabilities"]
        self._attr_options = capabilities.get("options")
        self._attr_state_class = capabilities.get("state_class")
        unit = spec["attributes"].get("unit_of_measurement")
        self._attr_native_unit_of_measurement = unit
        self._attr_native_value = spec["state"]
""",
    ),
    "binary_sensor": ("BinarySensorEntity", IS_ON),
    "switch": (
        "SwitchEntity",
        IS_ON
        + """
    async def async_turn_on(self, **kwargs):
        pass

    async def async_turn_off(self, **kwargs):
        pass
""",
    ),
    "event": (
        "EventEntity",
        """        self._attr_event_types = spec["capabilities"].get("event_types", [])
""",
    ),
    "button": (
        "ButtonEntity",
        """
    async def async_press(self):
        pass
""",
    ),
}


def entity_kinds(
    hass: Any, entries: Any, names: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The entities of one sample owner per kind (hub, desk, account).

    ``entries``: the office's entity registry entries; ``names``: the
    integration's ``entity`` translations (platform -> key -> {"name"}).
    """
    from homeassistant.helpers import restore_state  # noqa: PLC0415

    # The entities that read their last state when added (RestoreEntity).
    restored = restore_state.async_get(hass).entities
    sample: dict[str, str] = {}
    kinds: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        owner, _, key = entry.unique_id.partition("_")
        kind = {"D": "desk", "A": "account"}.get(owner[0], "hub")
        if sample.setdefault(kind, owner) != owner:
            continue
        state = hass.states.get(entry.entity_id)
        kinds.setdefault(kind, []).append(
            {
                "domain": entry.domain,
                "key": key,
                "translation_key": entry.translation_key,
                "name": names[entry.domain][entry.translation_key]["name"],
                "enabled": entry.disabled_by is None,
                "restore": entry.entity_id in restored,
                "category": entry.entity_category and entry.entity_category.value,
                "device_class": entry.original_device_class,
                "capabilities": dict(entry.capabilities or {}),
                "state": state.state if state is not None else None,
                # JSON: a datetime among them becomes its text.
                "attributes": json.loads(
                    json.dumps(dict(state.attributes) if state else {}, default=str)
                ),
            }
        )
    return kinds


def write_like(component: Path, kinds: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The generated platforms and their translations; the platforms' names."""
    platforms = sorted({spec["domain"] for specs in kinds.values() for spec in specs})
    (component / "common.py").write_text(
        COMMON % {"own": OWN_ATTRIBUTES}, encoding="utf-8"
    )
    for platform in platforms:
        base, body = PLATFORMS[platform]
        (component / f"{platform}.py").write_text(
            PLATFORM.format(platform=platform, base=base, body=body),
            encoding="utf-8",
        )
    names: dict[str, dict[str, Any]] = {}
    for specs in kinds.values():
        for spec in specs:
            names.setdefault(spec["domain"], {})[spec["translation_key"]] = {
                "name": spec["name"]
            }
    translations = component / "translations"
    translations.mkdir()
    (translations / "en.json").write_text(
        json.dumps({"entity": names}), encoding="utf-8"
    )
    return platforms
