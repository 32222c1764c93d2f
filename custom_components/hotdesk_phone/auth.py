"""Who may act: accounts belong to people, not to every Home Assistant user.

The rules (the README explains them to admins):
- no user in the context (automations, scripts, HA itself): allowed;
- an administrator: allowed for every account and desk;
- any other user: only for the accounts that name one of their persons; a
  desk's login may be ended or replaced only when it is one of their own.
Everyone else gets HA's ``Unauthorized`` before anything reaches the PBX.
"""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.util import slugify

from .const import DOMAIN
from .directory import Account

# HA's legacy notify platform names each companion app's action
# ``mobile_app_<device name, slugified>``.
_MOBILE_APP = "mobile_app"
_PERSON = "person"


def persons_of_user(hass: HomeAssistant, user_id: str) -> set[str]:
    """The person entities whose HA user is ``user_id``."""
    return {
        state.entity_id
        for state in hass.states.async_all(_PERSON)
        if state.attributes.get("user_id") == user_id
    }


def owns_account(hass: HomeAssistant, user_id: str, account: Account) -> bool:
    """Whether one of the user's persons is named by the account."""
    return bool(account.people) and bool(
        persons_of_user(hass, user_id) & set(account.people)
    )


async def async_acting_user(hass: HomeAssistant, context: Context) -> User | None:
    """The user behind ``context``, or None when no user acts (automations).

    A user id that HA does not know (a deleted user) is refused.
    """
    if context.user_id is None:
        return None
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise UnknownUser(context=context)
    return user


def check_accounts(
    hass: HomeAssistant,
    user: User | None,
    context: Context,
    accounts: Iterable[Account | None],
) -> None:
    """Raise ``Unauthorized`` unless the user may act for every account given.

    ``None`` in ``accounts`` stands for "nobody's" (a desk with no login) and
    is allowed.
    """
    if user is None or user.is_admin:
        return
    for account in accounts:
        if account is not None and not owns_account(hass, user.id, account):
            raise Unauthorized(context=context, perm_category=DOMAIN)


async def async_check_may_act(
    hass: HomeAssistant, context: Context, accounts: Iterable[Account | None]
) -> None:
    """Raise ``Unauthorized`` unless the context's user may act for them all."""
    check_accounts(hass, await async_acting_user(hass, context), context, accounts)


def _apps_by_target(hass: HomeAssistant) -> dict[str, list[str | None]]:
    """Each legacy notify target and the users of the app registrations behind it."""
    apps: dict[str, list[str | None]] = {}
    for entry in hass.config_entries.async_entries(_MOBILE_APP):
        target = slugify(f"{_MOBILE_APP}_{entry.data.get('device_name', '')}")
        apps.setdefault(target, []).append(entry.data.get("user_id"))
    return apps


def shared_notify_target(hass: HomeAssistant, target: str) -> bool:
    """Whether more than one companion app answers to ``target``.

    An app names itself, and any user may rename their own: two apps with
    one name share a target, and Home Assistant pushes to just one of them,
    not necessarily the account's. Such a target gets nothing of ours.
    """
    return len(_apps_by_target(hass).get(target, ())) > 1


def notify_target_users(hass: HomeAssistant, targets: Iterable[str]) -> set[str]:
    """The HA users whose companion apps the notify ``targets`` push to.

    A target that several apps share (``shared_notify_target``) counts for
    nobody.
    """
    apps = _apps_by_target(hass)
    return {
        users[0]
        for target in set(targets)
        if len(users := apps.get(target, [])) == 1 and users[0]
    }
