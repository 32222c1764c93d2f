"""The entry's options: login rules, emergency calls, voicemail, the bulk import."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from homeassistant.components.file_upload import process_uploaded_file
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.helpers import (
    selector,
)
from homeassistant.util.ulid import ulid_now

from .bulk import BulkImportError, ImportPlan, plan_import
from .bulk_report import MAX_REPORTED_ROWS, async_report, existing_of, plan_summary
from .const import (
    CONF_AUTO_LOGOUT_HOURS,
    CONF_AUTO_LOGOUT_TIME,
    CONF_BOOKING_CHECK_IN,
    CONF_BOOKING_WARNING,
    CONF_EMERGENCY,
    CONF_EXTENSION,
    CONF_MULTIPLE_LOGINS,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_VOICEMAIL_FOLDER,
    DEFAULT_BOOKING_WARNING,
    DEFAULT_SCAN_DEBOUNCE,
    SUBENTRY_ACCOUNT,
)
from .emergency import settings_from_options
from .emergency_flow import (
    settings_schema,
    validate_settings,
)
from .sites import readers_elsewhere, tags_elsewhere

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


# Fields of the import step.
CONF_IMPORT_FILE = "file"
CONF_REMOVE_MISSING = "remove_missing"


class HotdeskOptionsFlow(OptionsFlow):
    """Login rules, and the bulk import of accounts and desks.

    Login rules: one desk or several per account, automatic logout. The
    import reads a CSV file as export_directory writes it.
    """

    _plan: ImportPlan | None = None
    _import_task: asyncio.Task[None] | None = None

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What to do: the login rules, or import accounts and desks."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["rules", "emergency", "voicemail", "import_directory"],
        )

    async def async_step_voicemail(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where the PBX's voicemail spool is readable (to play messages)."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            folder = str(user_input.get(CONF_VOICEMAIL_FOLDER) or "").strip()
            options = {
                k: v for k, v in entry.options.items() if k != CONF_VOICEMAIL_FOLDER
            }
            if not folder:
                return self.async_create_entry(data=options)
            if await self.hass.async_add_executor_job(_is_spool, folder):
                return self.async_create_entry(
                    data={**options, CONF_VOICEMAIL_FOLDER: folder}
                )
            errors[CONF_VOICEMAIL_FOLDER] = "voicemail_folder_invalid"
        current = (user_input or entry.options).get(CONF_VOICEMAIL_FOLDER)
        schema = vol.Schema(
            {
                vol.Optional(
                    CONF_VOICEMAIL_FOLDER, description={"suggested_value": current}
                ): selector.TextSelector(),
            }
        )
        return self.async_show_form(
            step_id="voicemail", data_schema=schema, errors=errors
        )

    async def async_step_emergency(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Emergency numbers, route, callback window, address, contacts."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            extensions = [
                sub.data[CONF_EXTENSION]
                for sub in entry.subentries.values()
                if sub.subentry_type == SUBENTRY_ACCOUNT
            ]
            data, errors = validate_settings(user_input, extensions)
            if not errors:
                return self.async_create_entry(
                    data={**entry.options, CONF_EMERGENCY: data}
                )
        settings = settings_from_options(
            entry.options.get(CONF_EMERGENCY), self.hass.config.country
        )
        targets = sorted(self.hass.services.async_services_for_domain("notify"))
        schema = settings_schema(settings, targets)
        if user_input is not None:
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id="emergency", data_schema=schema, errors=errors
        )

    async def async_step_import_directory(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Upload a CSV file (as export_directory writes it); plan the import.

        Nothing is applied here: a file with any bad row is refused with every
        bad row listed; a good one leads to the preview.
        """
        entry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="import_not_loaded")
        errors: dict[str, str] = {}
        report, count = "", 0
        if user_input is not None:
            try:
                text = await self.hass.async_add_executor_job(
                    _read_upload, self.hass, user_input[CONF_IMPORT_FILE]
                )
            except ValueError:  # gone (uploaded once), or not UTF-8 text
                errors[CONF_IMPORT_FILE] = "import_unreadable"
            else:
                try:
                    # Pure Python, a second for 20,000 rows: not in the loop.
                    self._plan = await self.hass.async_add_executor_job(
                        partial(
                            plan_import,
                            text,
                            existing_of(entry),
                            remove_missing=user_input[CONF_REMOVE_MISSING],
                            new_id=ulid_now,
                            tags_elsewhere=tags_elsewhere(self.hass, entry.entry_id),
                            readers_elsewhere=readers_elsewhere(
                                self.hass, entry.entry_id
                            ),
                        )
                    )
                except BulkImportError as err:
                    errors["base"] = "import_invalid"
                    count = len(err.errors)
                    report = await async_report(self.hass, err)
                    if count > MAX_REPORTED_ROWS:
                        report += "\n…"
                else:
                    return await self.async_step_import_confirm()
        schema = vol.Schema(
            {
                vol.Required(CONF_IMPORT_FILE): selector.FileSelector(
                    selector.FileSelectorConfig(accept=".csv,text/csv")
                ),
                vol.Required(CONF_REMOVE_MISSING, default=False): bool,
            }
        )
        return self.async_show_form(
            step_id="import_directory",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "count": str(count),
                "rows": report,
            },
        )

    async def async_step_import_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what the import does (counts); apply it on submit."""
        plan = self._plan
        if plan is None:
            return self.async_abort(reason="import_not_loaded")
        counts = {k: str(v) for k, v in plan_summary(plan).items()}
        if plan.empty:
            return self.async_abort(
                reason="import_unchanged", description_placeholders=counts
            )
        if user_input is None:
            return self.async_show_form(
                step_id="import_confirm",
                data_schema=vol.Schema({}),
                description_placeholders=counts,
            )
        return await self.async_step_import_apply()

    async def async_step_import_apply(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Apply the plan in a task; HA shows the progress until it is done.

        (An office of thousands of seats takes a while: entities and devices
        are made as at setup.)
        """
        plan, entry = self._plan, self.config_entry
        if plan is None:
            return self.async_abort(reason="import_not_loaded")
        counts = {k: str(v) for k, v in plan_summary(plan).items()}
        if self._import_task is None:
            if entry.state is not ConfigEntryState.LOADED:
                return self.async_abort(reason="import_not_loaded")
            # Not eager: a small import could finish before the check below,
            # and the flow would never show its progress step.
            self._import_task = self.hass.async_create_task(
                entry.runtime_data.live.async_import(plan), eager_start=False
            )
        if not self._import_task.done():
            return self.async_show_progress(
                step_id="import_apply",
                progress_action="import_apply",
                description_placeholders=counts,
                progress_task=self._import_task,
            )
        return self.async_show_progress_done(next_step_id="import_done")

    async def async_step_import_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Say what the import did (an error in it is raised here)."""
        plan, task = self._plan, self._import_task
        if plan is None or task is None:
            return self.async_abort(reason="import_not_loaded")
        task.result()
        return self.async_abort(
            reason="import_applied",
            description_placeholders={k: str(v) for k, v in plan_summary(plan).items()},
        )

    async def async_step_rules(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the login rules."""
        if user_input is not None:
            # The emergency and voicemail settings (their own steps) stay.
            kept = {
                k: v
                for k, v in self.config_entry.options.items()
                if k in (CONF_EMERGENCY, CONF_VOICEMAIL_FOLDER)
            }
            return self.async_create_entry(data={**user_input, **kept})
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MULTIPLE_LOGINS,
                    default=options.get(CONF_MULTIPLE_LOGINS, True),
                ): bool,
                vol.Required(
                    CONF_AUTO_LOGOUT_HOURS,
                    default=options.get(CONF_AUTO_LOGOUT_HOURS, 0),
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0,
                        max=168,
                        step=0.5,
                        mode=selector.NumberSelectorMode.BOX,
                        unit_of_measurement="h",
                    )
                ),
                vol.Optional(
                    CONF_AUTO_LOGOUT_TIME,
                    description={"suggested_value": options.get(CONF_AUTO_LOGOUT_TIME)},
                ): selector.TimeSelector(),
                vol.Required(
                    CONF_BOOKING_WARNING,
                    default=options.get(CONF_BOOKING_WARNING, DEFAULT_BOOKING_WARNING),
                ): _MINUTES,
                vol.Required(
                    CONF_BOOKING_CHECK_IN,
                    default=options.get(CONF_BOOKING_CHECK_IN, 0),
                ): _MINUTES,
                vol.Required(
                    CONF_SCAN_DEBOUNCE_SECONDS,
                    default=options.get(
                        CONF_SCAN_DEBOUNCE_SECONDS, DEFAULT_SCAN_DEBOUNCE
                    ),
                ): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=0,
                        max=10,
                        step=0.1,
                        mode=selector.NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
            }
        )
        return self.async_show_form(step_id="rules", data_schema=schema)


# Minutes of a booking rule (0: off).
_MINUTES = selector.NumberSelector(
    selector.NumberSelectorConfig(
        min=0,
        max=240,
        step=1,
        mode=selector.NumberSelectorMode.BOX,
        unit_of_measurement="min",
    )
)


def _is_spool(folder: str) -> bool:
    """An absolute path to an existing folder (app_voicemail's spool)."""
    path = Path(folder)
    return path.is_absolute() and ".." not in path.parts and path.is_dir()


def _read_upload(hass: HomeAssistant, file_id: str) -> str:
    """The text of an uploaded file (removed afterwards); in an executor.

    Raises ``ValueError`` for a file that is gone or not UTF-8 text.
    """
    with process_uploaded_file(hass, file_id) as path:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte order mark.
        return path.read_text(encoding="utf-8-sig")
