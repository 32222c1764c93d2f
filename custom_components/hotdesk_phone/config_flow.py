"""Config flow: the PBX (its link, TLS trust, reauth, reconfigure).

The options flow (``options_flow``) and the subentry flows (``account_flow``,
``desk_flow``, ``site_flow``) live in their own modules.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import callback
from homeassistant.helpers import (
    selector,
)

from .account_flow import AccountSubentryFlow
from .ami import AmiClient
from .ami_errors import AmiAuthError, AmiConnectionError, AmiInsecureLoginError
from .ami_tls import (
    AmiCertificateError,
    AmiTlsError,
    CertificateInfo,
    TlsSettings,
    build_ssl_context,
    fetch_certificate,
)
from .const import (
    DEFAULT_PORT,
    DOMAIN,
    SUBENTRY_ACCOUNT,
    SUBENTRY_DESK,
    SUBENTRY_SITE,
)
from .desk_flow import DeskSubentryFlow
from .options_flow import HotdeskOptionsFlow
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
from .site_flow import SiteSubentryFlow

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


_LOGGER = logging.getLogger(__name__)

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
        """The title "Asterisk <host>", with the port when another has it already.

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
