"""Config flow: the PBX; subentry flows: accounts and desk phones; options."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
import logging
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from homeassistant.components.file_upload import process_uploaded_file
from homeassistant.components.tag import TAG_DATA
from homeassistant.components.tag.const import (
    DEFAULT_NAME as TAG_DEFAULT_NAME,
    EVENT_TAG_SCANNED,
)
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import (
    ATTR_AREA_ID,
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import Context, Event, EventOrigin, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    selector,
)
from homeassistant.util.ulid import ulid_now

from .account_schema import check_account, make_account
from .ami import (
    AmiAuthError,
    AmiCertificateError,
    AmiClient,
    AmiConnectionError,
    AmiError,
    AmiInsecureLoginError,
    AmiTlsError,
    CertificateInfo,
    TlsSettings,
    build_ssl_context,
    fetch_certificate,
)
from .bulk import BulkImportError, ImportPlan, plan_import
from .bulk_services import (
    MAX_REPORTED_ROWS,
    async_report,
    existing_of,
    plan_summary,
)
from .card_enrolment import CONF_CARD_KEYS, CardKeys, proof_of_scan
from .const import (
    CONF_AUTO_LOGOUT_HOURS,
    CONF_AUTO_LOGOUT_TIME,
    CONF_CARD_CERTIFICATES,
    CONF_CARD_REQUIRED,
    CONF_DIAL_STRING,
    CONF_EMERGENCY,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_MOBILE,
    CONF_MOBILE_MODE,
    CONF_MULTIPLE_LOGINS,
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_PRESENCE,
    CONF_PRESENCE_ENTITIES,
    CONF_READER_USERS,
    CONF_READERS,
    CONF_RING_DELAY,
    CONF_SCAN_DEBOUNCE_SECONDS,
    CONF_SCANNERS,
    CONF_TAGS,
    CONF_WATCH_TARGETS,
    DEFAULT_PORT,
    DEFAULT_SCAN_DEBOUNCE,
    DOMAIN,
    EVENT_UNKNOWN_TAG,
    SUBENTRY_ACCOUNT,
    SUBENTRY_DESK,
    SUBENTRY_SITE,
)
from .desk_schema import check_desk, make_desk
from .directory import (
    DEFAULT_RING_DELAY,
    MAX_RING_DELAY,
    MIN_RING_DELAY,
    MOBILE_AWAY,
    MOBILE_MODES,
    PRESENCE_MODES,
    PRESENCE_OFF,
    Account,
    Desk,
    Directory,
    DirectoryError,
    normalize_tag,
)
from .emergency import check_extensions, settings_from_options
from .emergency_flow import (
    desk_section,
    settings_schema,
    validate_desk_section,
    validate_settings,
)
from .pbx_link import (
    CONF_TLS,
    CONF_TLS_CA,
    CONF_TLS_FINGERPRINT,
    CONF_TLS_VERIFY,
    VERIFY_CA,
    VERIFY_MODES,
    VERIFY_PIN,
    tls_settings,
)
from .pcsc import async_host_readers
from .site_flow import SiteSubentryFlow
from .sites import tag_used_elsewhere, tags_elsewhere
from .subentries import directory_parts
from .titles import subentry_title

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

_LOGGER = logging.getLogger(__name__)

# Which form field each directory error belongs to.
_ERROR_FIELD = {
    "invalid_extension": CONF_EXTENSION,
    "duplicate_extension": CONF_EXTENSION,
    "no_home_desk": CONF_HOME_DESKS,
    "unknown_desk": CONF_HOME_DESKS,
    "invalid_tag": CONF_TAGS,
    "duplicate_tag": CONF_TAGS,
    "invalid_dial_string": CONF_DIAL_STRING,
    "invalid_mobile": CONF_MOBILE,
    "mobile_too_long": CONF_MOBILE,
    "duplicate_dial_string": CONF_DIAL_STRING,
    "duplicate_scanner": CONF_SCANNERS,
    "duplicate_reader": CONF_READERS,
    "duplicate_card_key": CONF_CARD_KEYS,
    "no_card_key": CONF_CARD_KEYS,
}

# How long the "scan the card now" step waits for a scan.
SCAN_TIMEOUT = 30
# Devices of these integrations fire HA's tag_scanned with their device id:
# the only devices that can be a desk's tag scanner. This integration's own
# card readers are chosen in their own field, its other devices never scan.
SCANNER_INTEGRATIONS = ("esphome", "mobile_app", "mqtt")
# Form field: learn a tag by scanning it (not stored).
CONF_SCAN_TAG = "scan_tag"

_PASSWORD = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)


async def _try_login(data: Mapping[str, Any]) -> dict[str, str]:
    """Log in once (and ask one action); return form errors."""
    client = AmiClient(
        host=data[CONF_HOST],
        port=data[CONF_PORT],
        username=data[CONF_USERNAME],
        secret=data[CONF_PASSWORD],
        tls=tls_settings(data),
    )
    try:
        await client.connect()
        # An action, not only the login: a user without read rights logs in.
        await client.core_settings()
    except AmiAuthError:
        return {"base": "invalid_auth"}
    except AmiConnectionError as err:
        return {"base": _connection_error(err)}
    except Exception:
        _LOGGER.exception("Unexpected error while testing the PBX login")
        return {"base": "unknown"}
    finally:
        await client.close()
    return {}


def _connection_error(err: AmiConnectionError) -> str:
    """The form's error for a link that could not be made."""
    if isinstance(err, AmiCertificateError):
        return "certificate_mismatch"
    if isinstance(err, AmiTlsError):
        return "tls_failed"
    if isinstance(err, AmiInsecureLoginError):
        return "insecure_login"
    return "cannot_connect"


def _connection_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)
            ): str,
            vol.Required(
                CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)
            ): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=65535, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(
                CONF_USERNAME, default=defaults.get(CONF_USERNAME, vol.UNDEFINED)
            ): str,
            vol.Required(CONF_PASSWORD): _PASSWORD,
            vol.Required(CONF_TLS, default=defaults.get(CONF_TLS, False)): bool,
            vol.Required(
                CONF_TLS_VERIFY, default=defaults.get(CONF_TLS_VERIFY, VERIFY_PIN)
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(VERIFY_MODES), translation_key=CONF_TLS_VERIFY
                )
            ),
            vol.Optional(
                CONF_TLS_CA,
                description={"suggested_value": defaults.get(CONF_TLS_CA)},
            ): selector.TextSelector(selector.TextSelectorConfig(multiline=True)),
        }
    )


def _needs_pin(data: Mapping[str, Any]) -> bool:
    return bool(data.get(CONF_TLS)) and data.get(CONF_TLS_VERIFY) == VERIFY_PIN


def _link_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """What is stored of the form: TLS fields only with TLS on."""
    data = {
        k: v
        for k, v in user_input.items()
        if k not in (CONF_TLS, CONF_TLS_VERIFY, CONF_TLS_CA, CONF_TLS_FINGERPRINT)
    }
    if user_input.get(CONF_TLS):
        data[CONF_TLS] = True
        data[CONF_TLS_VERIFY] = user_input.get(CONF_TLS_VERIFY, VERIFY_PIN)
        if data[CONF_TLS_VERIFY] == VERIFY_CA:
            data[CONF_TLS_CA] = str(user_input.get(CONF_TLS_CA) or "").strip()
    return data


async def _check_ca(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """A CA that is given must load (a PEM text or a file on the host)."""
    if data.get(CONF_TLS_VERIFY) != VERIFY_CA or not data.get(CONF_TLS):
        return {}
    if not data.get(CONF_TLS_CA):
        return {CONF_TLS_CA: "no_ca"}
    try:
        await hass.async_add_executor_job(
            build_ssl_context, TlsSettings(ca=data[CONF_TLS_CA])
        )
    except AmiTlsError:
        return {CONF_TLS_CA: "invalid_ca"}
    return {}


class HotdeskConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a PBX: host, port, AMI user and secret, tested before saving."""

    VERSION = 1
    # 1.2: subentry titles show the extension or dial string (titles.py).
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> HotdeskOptionsFlow:
        """Options: login rules."""
        return HotdeskOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Accounts and desk phones are subentries."""
        # Desk phones first, in the UI's menu too: an account needs a desk.
        return {
            SUBENTRY_DESK: DeskSubentryFlow,
            SUBENTRY_ACCOUNT: AccountSubentryFlow,
            SUBENTRY_SITE: SiteSubentryFlow,
        }

    _link: dict[str, Any]
    _certificate: CertificateInfo | None = None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the PBX and test the login."""
        errors: dict[str, str] = {}
        if user_input is not None:
            await self.async_set_unique_id(
                f"{user_input[CONF_HOST]}:{user_input[CONF_PORT]}"
            )
            self._abort_if_unique_id_configured()
            data = _link_data(user_input)
            errors = await _check_ca(self.hass, data)
            if not errors and _needs_pin(data):
                errors = await self._fetch_certificate(data)
                if not errors:
                    return await self.async_step_trust()
            if not errors:
                errors = await _try_login(data)
            if not errors:
                return self._create(data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _connection_schema({}), user_input or {}
            ),
            errors=errors,
        )

    def _create(self, data: dict[str, Any]) -> ConfigFlowResult:
        # The success dialog says what comes next (desk phones).
        return self.async_create_entry(
            title=self._new_title(data), data=data, description="next_steps"
        )

    def _new_title(self, data: Mapping[str, Any]) -> str:
        """ "Asterisk <host>", with the port when an entry has that title already.

        Titles tell entries apart on the integration's page, in the site
        picker and in the sensors' ``site`` attribute.
        """
        title = f"Asterisk {data[CONF_HOST]}"
        taken = {e.title for e in self._async_current_entries(include_ignore=False)}
        return f"{title}:{data[CONF_PORT]}" if title in taken else title

    async def _fetch_certificate(self, data: dict[str, Any]) -> dict[str, str]:
        """Read the certificate the PBX shows (nothing is sent to it)."""
        try:
            self._certificate = await fetch_certificate(
                data[CONF_HOST], data[CONF_PORT]
            )
        except AmiConnectionError:
            return {"base": "tls_failed"}
        self._link = data
        return {}

    async def async_step_trust(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Trust on first use: the admin compares the fingerprint, then pins it."""
        certificate = self._certificate
        if certificate is None:  # the step is only reached after a fetch
            return self.async_abort(reason="unknown")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**self._link, CONF_TLS_FINGERPRINT: certificate.sha256}
            errors = await _try_login(data)
            if not errors:
                if self.source == SOURCE_RECONFIGURE:
                    return await self._reconfigured(data)
                return self._create(data)
        return self.async_show_form(
            step_id="trust",
            data_schema=vol.Schema({}),
            description_placeholders={
                "host": self._link[CONF_HOST],
                "fingerprint": certificate.sha256,
                "subject": certificate.subject or "?",
                "not_after": str(certificate.not_after or "?"),
            },
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The PBX refused the stored secret."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the AMI user and secret again."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            errors = await _try_login(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_USERNAME, default=entry.data[CONF_USERNAME]): str,
                    vol.Required(CONF_PASSWORD): _PASSWORD,
                }
            ),
            description_placeholders={"host": entry.data[CONF_HOST]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or credentials (the PBX moved, or a new secret)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            unique_id = f"{user_input[CONF_HOST]}:{user_input[CONF_PORT]}"
            if any(
                other.unique_id == unique_id and other.entry_id != entry.entry_id
                for other in self._async_current_entries(include_ignore=False)
            ):
                return self.async_abort(reason="already_configured")
            data = _link_data(user_input)
            errors = await _check_ca(self.hass, data)
            if not errors and _needs_pin(data):
                errors = await self._fetch_certificate(data)
                stored = entry.data.get(CONF_TLS_FINGERPRINT)
                if not errors and self._certificate is not None:
                    if self._certificate.sha256 != stored:
                        # A new certificate (or a new PBX): confirm it first.
                        return await self.async_step_trust()
                    data[CONF_TLS_FINGERPRINT] = stored
            if not errors:
                errors = await _try_login(data)
            if not errors:
                return await self._reconfigured(data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_connection_schema(user_input or entry.data),
            errors=errors,
        )

    async def _reconfigured(self, data: dict[str, Any]) -> ConfigFlowResult:
        return self.async_update_reload_and_abort(
            self._get_reconfigure_entry(),
            data=data,
            unique_id=f"{data[CONF_HOST]}:{data[CONF_PORT]}",
        )


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
            step_id="init", menu_options=["rules", "emergency", "import_directory"]
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
            # The emergency settings (their own step) stay as they are.
            kept = {
                k: v
                for k, v in self.config_entry.options.items()
                if k == CONF_EMERGENCY
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


def _read_upload(hass: HomeAssistant, file_id: str) -> str:
    """The text of an uploaded file (removed afterwards); in an executor.

    Raises ``ValueError`` for a file that is gone or not UTF-8 text.
    """
    with process_uploaded_file(hass, file_id) as path:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte order mark.
        return path.read_text(encoding="utf-8-sig")


# Reach the mobile and ring where the person is (account form). Optional with
# defaults: accounts stored before these fields existed keep working.
_RING_FIELDS: dict[Any, Any] = {
    vol.Optional(CONF_MOBILE): selector.TextSelector(),
    vol.Optional(CONF_MOBILE_MODE, default=MOBILE_AWAY): selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(MOBILE_MODES), translation_key=CONF_MOBILE_MODE
        )
    ),
    vol.Optional(CONF_PRESENCE, default=PRESENCE_OFF): selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=list(PRESENCE_MODES), translation_key=CONF_PRESENCE
        )
    ),
    vol.Optional(CONF_PRESENCE_ENTITIES): selector.EntitySelector(
        selector.EntitySelectorConfig(
            domain=["sensor", "device_tracker", "select", "input_select"],
            multiple=True,
        )
    ),
    vol.Optional(CONF_RING_DELAY, default=DEFAULT_RING_DELAY): selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=MIN_RING_DELAY,
            max=MAX_RING_DELAY,
            step=1,
            unit_of_measurement="s",
            mode=selector.NumberSelectorMode.BOX,
        )
    ),
}


class _DirectorySubentryFlow(ConfigSubentryFlow):
    """Shared validation: the whole directory must still be consistent."""

    _kind: str  # the subentry type this flow makes

    def _check(self, candidate: Account | Desk) -> dict[str, str]:
        # Other accounts may still name desks removed meanwhile (the entry
        # skips those at setup); they are not the candidate's problem.
        accounts, desks, _ = directory_parts(
            self._get_entry().subentries.values(), candidate
        )
        try:
            Directory.build(accounts, desks)
        except DirectoryError as err:
            return {_ERROR_FIELD.get(err.code, "base"): err.code}
        return {}

    def _is_new(self) -> bool:
        return self.source == "user"

    def _editing_id(self) -> str:
        return "" if self._is_new() else self._get_reconfigure_subentry().subentry_id

    def _current(self) -> Mapping[str, Any]:
        return {} if self._is_new() else self._get_reconfigure_subentry().data

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        return await self._form(user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one."""
        return await self._form(user_input)

    async def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        raise NotImplementedError

    def _device(self) -> dr.DeviceEntry | None:
        """The device of the subentry being changed (None for a new one)."""
        if self._is_new():
            return None
        subentry_id = self._editing_id()
        for device in dr.async_entries_for_config_entry(
            dr.async_get(self.hass), self._get_entry().entry_id
        ):
            if (DOMAIN, subentry_id) in device.identifiers:
                return device
        return None

    def _finish(self, data: dict[str, Any]) -> SubentryFlowResult:
        # The row on the integration's page: "Alice (101)", "Desk 3 (PJSIP/d3)".
        title = subentry_title(self._kind, data)
        if self._is_new():
            return self.async_create_entry(title=title, data=data)
        # The device page shows the extension or dial string (entity.py).
        shown = data.get(CONF_EXTENSION, data.get(CONF_DIAL_STRING))
        if (device := self._device()) is not None and device.model_id != shown:
            dr.async_get(self.hass).async_update_device(device.id, model_id=shown)
        return self.async_update_and_abort(
            self._get_entry(),
            self._get_reconfigure_subentry(),
            title=title,
            data=data,
        )


class AccountSubentryFlow(_DirectorySubentryFlow):
    """An account: name, extension, home desks, identity tags."""

    _kind = SUBENTRY_ACCOUNT

    async def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        entry = self._get_entry()
        desks = {
            sub.subentry_id: sub.title
            for sub in entry.subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
        }
        if not desks:
            return self.async_abort(reason="no_desks")
        errors: dict[str, str] = {}
        if user_input is not None and user_input.get(CONF_SCAN_TAG):
            # Keep what was typed; the form comes back with the scanned tag.
            self._before_scan = {
                k: v for k, v in user_input.items() if k != CONF_SCAN_TAG
            }
            return await self.async_step_scan()
        if user_input is not None:
            data, errors = self._validate(user_input)
            if not errors:
                errors = self._check_not_emergency(data[CONF_EXTENSION])
            if not errors:
                errors = self._with_cards(data, user_input)
            if not errors:
                errors = self._check(make_account(self._editing_id() or "new", data))
            if not errors and tag_used_elsewhere(
                self.hass, self._get_entry().entry_id, data[CONF_TAGS]
            ):
                # Identities are global: one tag, one person, at every site.
                errors = {CONF_TAGS: "duplicate_tag"}
            if not errors:
                return self._finish(data)
        return self._account_form(desks, user_input or self._current(), errors)

    _card_keys: CardKeys | None = None

    @property
    def _cards(self) -> CardKeys:
        """The card keys this form knows (the account's, then learned ones)."""
        if self._card_keys is None:
            self._card_keys = CardKeys(self._current().get(CONF_CARD_CERTIFICATES, []))
        return self._card_keys

    def _with_cards(
        self, data: dict[str, Any], user_input: Mapping[str, Any]
    ) -> dict[str, str]:
        """Add the chosen card certificates and the policy to ``data``."""
        certificates = self._cards.certificates_of(self._cards.chosen(user_input))
        if certificates is None:
            return {CONF_CARD_KEYS: "unknown_card_key"}
        data[CONF_CARD_CERTIFICATES] = certificates
        data[CONF_CARD_REQUIRED] = bool(user_input.get(CONF_CARD_REQUIRED, False))
        return {}

    def _account_form(
        self,
        desks: Mapping[str, str],
        values: Mapping[str, Any],
        errors: dict[str, str],
    ) -> SubentryFlowResult:
        values = {**values, CONF_CARD_KEYS: self._cards.chosen(values)}
        # Home desks are optional in the schema and checked in the step: the
        # browser ticks the first option of a required multi-select.
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Required(CONF_EXTENSION): selector.TextSelector(),
                vol.Optional(CONF_HOME_DESKS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=k, label=v)
                            for k, v in desks.items()
                        ],
                        multiple=True,
                    )
                ),
                vol.Optional(CONF_TAGS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._tag_options(values.get(CONF_TAGS) or []),
                        multiple=True,
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_SCAN_TAG, default=False): selector.BooleanSelector(),
                vol.Optional(CONF_CARD_KEYS): self._cards.selector(),
                vol.Optional(
                    CONF_CARD_REQUIRED, default=False
                ): selector.BooleanSelector(),
                vol.Optional(CONF_PEOPLE): selector.EntitySelector(
                    selector.EntitySelectorConfig(domain="person", multiple=True)
                ),
                vol.Optional(CONF_NOTIFY_TARGETS): self._targets_selector(),
                vol.Optional(CONF_WATCH_TARGETS): self._targets_selector(),
                **_RING_FIELDS,
            }
        )
        return self.async_show_form(
            step_id="user" if self._is_new() else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
        )

    def _tag_options(self, chosen: list[str]) -> list[selector.SelectOptionDict]:
        """HA's tags (named where they have a name) no other account holds."""
        taken = {
            normalize_tag(tag)
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == SUBENTRY_ACCOUNT
            and sub.subentry_id != self._editing_id()
            for tag in sub.data.get(CONF_TAGS, [])
        }
        registry = er.async_get(self.hass)
        options: dict[str, str] = {}
        store = self.hass.data.get(TAG_DATA)
        for item in store.async_items() if store is not None else []:
            tag_id = str(item.get("id", ""))
            if not tag_id or normalize_tag(tag_id) in taken:
                continue
            name = None
            if (entity_id := registry.async_get_entity_id("tag", "tag", tag_id)) and (
                entity := registry.async_get(entity_id)
            ):
                name = entity.name or entity.original_name
            # An unnamed tag's entity is called "Tag <id>": show the id alone.
            named = name and name != f"{TAG_DEFAULT_NAME} {tag_id}"
            options[tag_id] = f"{name} ({tag_id})" if named else tag_id
        for tag in chosen:
            options.setdefault(tag, tag)
        return [selector.SelectOptionDict(value=k, label=v) for k, v in options.items()]

    _before_scan: dict[str, Any]
    _scan_task: asyncio.Task[tuple[str, Context] | None] | None = None

    async def async_step_scan(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Wait for the next scan at any reader (a progress step)."""
        if self._scan_task is None:
            # Not tracked: waiting for a person is no work to finish first.
            self._scan_task = self.hass.async_create_background_task(
                self._async_next_scan(), f"{DOMAIN} scan for a new tag"
            )
        if not self._scan_task.done():
            return self.async_show_progress(
                step_id="scan",
                progress_action="scan",
                progress_task=self._scan_task,
                description_placeholders={"seconds": str(SCAN_TIMEOUT)},
            )
        return self.async_show_progress_done(next_step_id="scanned")

    async def async_step_scanned(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Back to the account form, with the scanned tag added."""
        task, self._scan_task = self._scan_task, None
        scan = task.result() if task is not None else None
        values = dict(self._before_scan)
        errors: dict[str, str] = {}
        if scan is None:
            return self._account_form(
                self._desks(), values, {CONF_TAGS: "scan_timeout"}
            )
        tag, context = scan
        if tag not in (tags := list(values.get(CONF_TAGS) or [])):
            values[CONF_TAGS] = [*tags, tag]
        # A PIV card that proved its key at a reader: enrol the key too.
        if (proof := proof_of_scan(self._get_entry(), context)) is not None:
            if (key := self._cards.learn(proof)) is None:
                errors = {CONF_CARD_KEYS: "card_not_verified"}
            elif key not in (keys := self._cards.chosen(values)):
                values[CONF_CARD_KEYS] = [*keys, key]
        return self._account_form(self._desks(), values, errors)

    def _desks(self) -> dict[str, str]:
        """The entry's desks: id -> title."""
        return {
            sub.subentry_id: sub.title
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
        }

    async def _async_next_scan(self) -> tuple[str, Context] | None:
        """The tag id and context of the next scan (None after SCAN_TIMEOUT s).

        HA's tag_scanned (ESPHome, companion apps, MQTT, the tag component)
        and this integration's unknown-tag event (a card its readers do not
        know yet); only events fired inside HA count, not ones posted
        through the API.
        """
        seen: asyncio.Future[tuple[str, Context]] = self.hass.loop.create_future()

        @callback
        def _on_scan(event: Event[dict[str, Any]]) -> None:
            tag = event.data.get("tag_id")
            if (
                event.origin is EventOrigin.local
                and isinstance(tag, str)
                and tag.strip()
                and not seen.done()
            ):
                seen.set_result((tag.strip(), event.context))

        unsubscribe = [
            self.hass.bus.async_listen(EVENT_TAG_SCANNED, _on_scan),
            self.hass.bus.async_listen(EVENT_UNKNOWN_TAG, _on_scan),
        ]
        try:
            async with asyncio.timeout(SCAN_TIMEOUT):
                return await seen
        except TimeoutError:
            return None
        finally:
            for unsub in unsubscribe:
                unsub()

    def _targets_selector(self) -> selector.SelectSelector:
        """The companion apps' notify actions HA knows now."""
        services = sorted(
            name
            for name in self.hass.services.async_services_for_domain("notify")
            if name.startswith("mobile_app_")
        )
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=services, multiple=True, custom_value=True
            )
        )

    def _check_not_emergency(self, extension: str) -> dict[str, str]:
        """A desk dialling the extension must reach the person, not 911."""
        settings = settings_from_options(
            self._get_entry().options.get(CONF_EMERGENCY), self.hass.config.country
        )
        try:
            check_extensions(settings.numbers, [extension])
        except DirectoryError as err:
            return {CONF_EXTENSION: err.code}
        return {}

    @staticmethod
    def _validate(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        data, errors = check_account(user_input)
        return data, {field: err.code for field, err in errors.items()}


class DeskSubentryFlow(_DirectorySubentryFlow):
    """A desk phone: name, dial string, the devices that scan there."""

    _kind = SUBENTRY_DESK

    async def _endpoints(self) -> list[str]:
        """Dial strings the PBX offers (empty when it cannot be asked)."""
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return []
        try:
            endpoints = await entry.runtime_data.hub.client.endpoints()
        except AmiError:
            return []
        return [e.dial_string for e in endpoints]

    async def _users(self) -> dict[str, str]:
        """People who can log in to HA (id -> name): whose bridge may post."""
        return {
            user.id: user.name or user.id
            for user in await self.hass.auth.async_get_users()
            if not user.system_generated and user.is_active
        }

    async def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        users = await self._users()
        endpoints = await self._endpoints()
        if user_input is not None:
            data, errors = self._validate(user_input, users)
            if not errors:
                errors = self._check(make_desk(self._editing_id() or "new", data))
            if not errors:
                self._desk_data = data
                dial_string = data[CONF_DIAL_STRING]
                # A PJSIP endpoint the PBX does not list: ask once more
                # (the list is PJSIP only; other technologies are not checked).
                if (
                    endpoints
                    and dial_string.upper().startswith("PJSIP/")
                    and dial_string not in endpoints
                ):
                    return await self.async_step_unknown_dial_string()
                return self._finish_desk()
        # PC/SC readers of this host (when pyscard and pcscd are there), plus the
        # chosen ones; any other value is a bridge reader id typed in.
        readers = sorted(
            {
                *await async_host_readers(self.hass),
                *self._current().get(CONF_READERS, []),
                *((user_input or {}).get(CONF_READERS) or []),
            }
        )
        values: Mapping[str, Any] = user_input or {
            **self._current(),
            ATTR_AREA_ID: self._device_area() or self._current().get(ATTR_AREA_ID),
        }
        # The dial string is optional in the schema and checked in the step:
        # the browser selects the first option of a required dropdown.
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Optional(CONF_DIAL_STRING): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._endpoint_options(endpoints),
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(ATTR_AREA_ID): selector.AreaSelector(),
                vol.Optional(CONF_SCANNERS): selector.DeviceSelector(
                    selector.DeviceSelectorConfig(
                        multiple=True,
                        filter=[
                            selector.DeviceFilterSelectorConfig(integration=domain)
                            for domain in SCANNER_INTEGRATIONS
                        ],
                    )
                ),
                vol.Optional(CONF_READERS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=readers,
                        multiple=True,
                        custom_value=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_READER_USERS): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=k, label=v)
                            for k, v in sorted(users.items(), key=lambda u: u[1])
                        ],
                        multiple=True,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_EMERGENCY): desk_section(),
            }
        )
        return self.async_show_form(
            step_id="user" if self._is_new() else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
        )

    def _validate(
        self, user_input: dict[str, Any], users: Mapping[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        data, field_errors = check_desk(user_input)
        errors = {field: err.code for field, err in field_errors.items()}
        emergency, emergency_error = validate_desk_section(
            user_input.get(CONF_EMERGENCY)
        )
        if emergency_error is not None:
            errors[CONF_EMERGENCY] = emergency_error
        elif emergency:
            data[CONF_EMERGENCY] = emergency
        if area := user_input.get(ATTR_AREA_ID):
            data[ATTR_AREA_ID] = area
        if not set(data[CONF_READER_USERS]) <= set(users):
            errors[CONF_READER_USERS] = "unknown_user"
        if any(map(self._ours, data[CONF_SCANNERS])):
            errors[CONF_SCANNERS] = "not_a_scanner"
        return ({}, errors) if errors else (data, {})

    def _ours(self, device_id: str) -> bool:
        """Whether a device is ours (account, desk, PBX, card reader: never scans)."""
        device = dr.async_get(self.hass).async_get(device_id)
        return device is not None and any(d == DOMAIN for d, _ in device.identifiers)

    def _endpoint_options(
        self, endpoints: list[str]
    ) -> list[selector.SelectOptionDict]:
        """The PBX's endpoints: free ones first, then those other desks use."""
        used = {
            sub.data.get(CONF_DIAL_STRING): sub.data.get(CONF_NAME) or sub.title
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == SUBENTRY_DESK
            and sub.subentry_id != self._editing_id()
        }
        free = [e for e in endpoints if e not in used]
        taken = [e for e in endpoints if e in used]
        return [selector.SelectOptionDict(value=e, label=e) for e in free] + [
            selector.SelectOptionDict(value=e, label=f"{e} ({used[e]})") for e in taken
        ]

    _desk_data: dict[str, Any]

    async def async_step_unknown_dial_string(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The PBX does not list this endpoint: save anyway, or go back."""
        if user_input is not None:
            return self._finish_desk()
        return self.async_show_form(
            step_id="unknown_dial_string",
            data_schema=vol.Schema({}),
            description_placeholders={
                "dial_string": self._desk_data[CONF_DIAL_STRING],
                "name": self._desk_data[CONF_NAME],
            },
        )

    def _device_area(self) -> str | None:
        device = self._device()
        return device.area_id if device is not None else None

    def _finish_desk(self) -> SubentryFlowResult:
        """Save; the area goes to the desk's device (now, or when it is made)."""
        data = self._desk_data
        area_id = data.get(ATTR_AREA_ID)
        if (
            area_id is not None
            and ar.async_get(self.hass).async_get_area(area_id) is None
        ):
            data.pop(ATTR_AREA_ID)
            area_id = None
        if (device := self._device()) is not None and device.area_id != area_id:
            dr.async_get(self.hass).async_update_device(device.id, area_id=area_id)
        return self._finish(data)
