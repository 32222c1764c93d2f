"""The form of a linked site: another PBX whose desks this PBX's accounts use.

A site subentry on entry A names entry B, how A's PBX dials one of B's desks
through the trunk between them (a template with the desk's id), and whether
A's calls may move to B's desks and A's accounts log in there.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector

from .const import (
    CONF_ALLOW_CLAIMS,
    CONF_ALLOW_LOGINS,
    CONF_DIAL_TEMPLATE,
    CONF_SITE_ENTRY,
    DESK_PLACEHOLDER,
    DOMAIN,
)
from .directory import DirectoryError, validate_dial_template
from .subentries import site_links


class SiteSubentryFlow(ConfigSubentryFlow):
    """Add or change a link to another site's PBX."""

    def _is_new(self) -> bool:
        return self.source == "user"

    def _sites(self) -> dict[str, str]:
        """The other entries this one may link to (not linked yet), by id."""
        entry = self._get_entry()
        editing = None if self._is_new() else self._get_reconfigure_subentry()
        linked = {
            sub.data.get(CONF_SITE_ENTRY)
            for sub in site_links(entry)
            if editing is None or sub.subentry_id != editing.subentry_id
        }
        return {
            other.entry_id: other.title
            for other in self.hass.config_entries.async_entries(DOMAIN)
            if other.entry_id != entry.entry_id and other.entry_id not in linked
        }

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Link a site."""
        return self._form(user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a link."""
        return self._form(user_input)

    def _form(self, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        sites = self._sites()
        if not sites:
            return self.async_abort(reason="no_other_site")
        errors: dict[str, str] = {}
        current: dict[str, Any] = (
            {} if self._is_new() else dict(self._get_reconfigure_subentry().data)
        )
        if user_input is not None:
            current = user_input
            site_id = user_input.get(CONF_SITE_ENTRY)
            try:
                template = validate_dial_template(
                    str(user_input.get(CONF_DIAL_TEMPLATE, "")), DESK_PLACEHOLDER
                )
            except DirectoryError as err:
                errors[CONF_DIAL_TEMPLATE] = err.code
            if site_id not in sites:
                # Optional in the form so the browser preselects no site.
                errors[CONF_SITE_ENTRY] = "no_site_chosen"
            if not errors:
                data = {
                    CONF_SITE_ENTRY: site_id,
                    CONF_DIAL_TEMPLATE: template,
                    CONF_ALLOW_CLAIMS: bool(user_input.get(CONF_ALLOW_CLAIMS, True)),
                    CONF_ALLOW_LOGINS: bool(user_input.get(CONF_ALLOW_LOGINS, True)),
                }
                title = sites[str(site_id)]
                if self._is_new():
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=title,
                    data=data,
                )
        schema = vol.Schema(
            {
                vol.Optional(CONF_SITE_ENTRY): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=key, label=title)
                            for key, title in sorted(
                                sites.items(), key=lambda item: item[1]
                            )
                        ],
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_DIAL_TEMPLATE): selector.TextSelector(),
                vol.Optional(
                    CONF_ALLOW_CLAIMS, default=True
                ): selector.BooleanSelector(),
                vol.Optional(
                    CONF_ALLOW_LOGINS, default=True
                ): selector.BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="user" if self._is_new() else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, current),
            errors=errors,
            description_placeholders={"placeholder": DESK_PLACEHOLDER},
        )
