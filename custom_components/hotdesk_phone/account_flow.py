"""The account form: name, extension, home desks, identities, cards, ringing."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.components.tag import TAG_DATA
from homeassistant.components.tag.const import (
    DEFAULT_NAME as TAG_DEFAULT_NAME,
    EVENT_TAG_SCANNED,
)
from homeassistant.config_entries import (
    ConfigEntryState,
    SubentryFlowResult,
)
from homeassistant.const import (
    CONF_NAME,
)
from homeassistant.core import Context, Event, EventOrigin, callback
from homeassistant.helpers import (
    entity_registry as er,
    selector,
)

from .account_schema import check_account, make_account
from .ami_errors import AmiError
from .ami_queue import queue_names
from .card_enrolment import CONF_CARD_KEYS, CardKeys, proof_of_scan
from .const import (
    CONF_CARD_CERTIFICATES,
    CONF_CARD_REQUIRED,
    CONF_EMERGENCY,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_QUEUES,
    CONF_TAGS,
    CONF_VOICEMAIL,
    CONF_WATCH_TARGETS,
    DOMAIN,
    EVENT_UNKNOWN_TAG,
    SUBENTRY_ACCOUNT,
    SUBENTRY_DESK,
)
from .directory import (
    DirectoryError,
    normalize_tag,
)
from .directory_flow import RING_FIELDS, DirectorySubentryFlow
from .emergency import check_extensions, settings_from_options
from .sites import tag_used_elsewhere

# How long the "scan the card now" step waits for a scan.
SCAN_TIMEOUT = 30
# Form field: learn a tag by scanning it (not stored).
CONF_SCAN_TAG = "scan_tag"


class AccountSubentryFlow(DirectorySubentryFlow):
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
        if self._queues is None:
            self._queues = await self._pbx_queues()
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
    _queues: list[str] | None = None

    async def _pbx_queues(self) -> list[str]:
        """The PBX's queues (empty when it cannot be asked)."""
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return []
        try:
            return await queue_names(entry.runtime_data.hub.client)
        except AmiError:
            return []

    def _queue_selector(self, chosen: list[str]) -> selector.SelectSelector:
        """The PBX's queues, and any chosen or typed in."""
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=sorted({*(self._queues or []), *chosen}),
                multiple=True,
                custom_value=True,
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )

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
                **RING_FIELDS,
                vol.Optional(CONF_QUEUES): self._queue_selector(
                    list(values.get(CONF_QUEUES) or [])
                ),
                vol.Optional(CONF_VOICEMAIL, default=False): selector.BooleanSelector(),
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
