"""Actions export_directory and import_directory: bulk provisioning (admins only)."""

from __future__ import annotations

from functools import partial

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.util.ulid import ulid_now

from .auth import async_acting_user
from .bulk import BulkImportError, ImportPlan, export_csv, plan_import
from .bulk_report import async_report, existing_of, plan_summary
from .const import DOMAIN
from .errors import input_error
from .models import HotdeskConfigEntry
from .running import loaded_entries
from .sites import readers_elsewhere, tags_elsewhere

SERVICE_EXPORT = "export_directory"
SERVICE_IMPORT = "import_directory"
ATTR_ENTRY = "config_entry_id"
ATTR_CSV = "csv"
ATTR_REMOVE_MISSING = "remove_missing"
ATTR_DRY_RUN = "dry_run"

EXPORT_SCHEMA = vol.Schema({vol.Optional(ATTR_ENTRY): cv.string})
IMPORT_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_ENTRY): cv.string,
        vol.Required(ATTR_CSV): cv.string,
        vol.Optional(ATTR_REMOVE_MISSING, default=False): cv.boolean,
        vol.Optional(ATTR_DRY_RUN, default=False): cv.boolean,
    }
)


async def _require_admin(call: ServiceCall) -> None:
    """The whole directory is an administrator's (or an automation's) business."""
    user = await async_acting_user(call.hass, call.context)
    if user is not None and not user.is_admin:
        raise Unauthorized(context=call.context, perm_category=DOMAIN)


def _entry(hass: HomeAssistant, entry_id: str | None) -> HotdeskConfigEntry:
    entries = [
        entry
        for entry, _hub in loaded_entries(hass)
        if entry_id is None or entry.entry_id == entry_id
    ]
    if len(entries) != 1:
        raise input_error("import_no_entry")
    return entries[0]


async def async_plan(
    hass: HomeAssistant, entry: HotdeskConfigEntry, text: str, *, remove_missing: bool
) -> ImportPlan:
    """The import's plan, or a translated error listing every bad row.

    Planning is pure CPU on a snapshot (20,000 rows take over a second): it
    runs in HA's executor, so the event loop keeps reading the PBX.
    """
    try:
        return await hass.async_add_executor_job(
            partial(
                plan_import,
                text,
                existing_of(entry),
                remove_missing=remove_missing,
                new_id=ulid_now,
                tags_elsewhere=tags_elsewhere(hass, entry.entry_id),
                readers_elsewhere=readers_elsewhere(hass, entry.entry_id),
            )
        )
    except BulkImportError as err:
        raise input_error(
            "import_invalid",
            count=str(len(err.errors)),
            rows=await async_report(hass, err),
        ) from err


async def _export(call: ServiceCall) -> ServiceResponse:
    await _require_admin(call)
    entry = _entry(call.hass, call.data.get(ATTR_ENTRY))
    return {ATTR_CSV: export_csv(existing_of(entry))}


async def _import(call: ServiceCall) -> ServiceResponse:
    await _require_admin(call)
    entry = _entry(call.hass, call.data.get(ATTR_ENTRY))
    plan = await async_plan(
        call.hass,
        entry,
        call.data[ATTR_CSV],
        remove_missing=call.data[ATTR_REMOVE_MISSING],
    )
    if not call.data[ATTR_DRY_RUN] and not plan.empty:
        await entry.runtime_data.live.async_import(plan)
    return plan_summary(plan)


def async_setup_bulk_services(hass: HomeAssistant) -> None:
    """Register export_directory and import_directory."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT,
        _export,
        schema=EXPORT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_IMPORT,
        _import,
        schema=IMPORT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
