"""The whole call flow over an AMI link with TLS, through the integration.

The entry reaches a real Asterisk 22 only on its AMI TLS port (the ``tls``
fixture of test_ami_tls: a certificate for 127.0.0.1 signed by a CA made
there), trusting it by its pinned SHA-256 fingerprint or by that CA. The
usual e2e fixtures (clean PBX, SIPp desk phones, HA, the outside world's
AMI connection) run against that Asterisk: this module's ``pbx`` is it.
With the link up: the AstDB routing is written, a call to 101 rings desks 1
and 2, Alice's tag at scanner-3 moves it to desk 3, and the call ends once.
A pin that is not the PBX's certificate keeps the entry down with a repair
issue, and nothing reaches the AstDB.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_tls import LinkSecurity
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub
from custom_components.hotdesk_phone.pbx_link import (
    CONF_TLS,
    CONF_TLS_CA,
    CONF_TLS_FINGERPRINT,
    CONF_TLS_VERIFY,
    VERIFY_CA,
    VERIFY_PIN,
)
from tests.ami_server import make_certificate

from .conftest import (
    ALICE,
    D1,
    D2,
    D3,
    ENTRY_ID,
    EventLog,
    Pbx,
    call_extension,
    e2e_subentries,
    in_thread,
    until,
    until_in_thread,
    wait_sip,
)
from .sip_phone import SipPhone
from .test_ami_tls import TlsPbx, TlsSetup, tls  # noqa: F401 - tls: a fixture

pytestmark = pytest.mark.e2e

CALLER_NUMBER = "5550100"
CALLER_NAME = "Bob Caller"
WRONG_PIN_ENTRY_ID = "E2ETLSWRONGPIN"
SECURITY = {VERIFY_PIN: LinkSecurity.TLS_PINNED, VERIFY_CA: LinkSecurity.TLS_CA}


@pytest.fixture(scope="module")
def pbx(tls: TlsSetup) -> TlsPbx:  # noqa: F811
    """This module's Asterisk is the one with the AMI TLS listener.

    It overrides conftest's session ``pbx``: clean_pbx, phones (SIPp desks on
    its SIP port) and ami (the outside world, plain AMI) all use it.
    """
    return tls.pbx


def tls_entry(
    tls: TlsSetup,  # noqa: F811
    entry_id: str,
    trust: dict[str, Any],
) -> MockConfigEntry:
    """The e2e entry (desks 1-4, Alice, Carol) on the PBX's AMI TLS port."""
    server = tls.pbx
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Asterisk {server.host} (TLS)",
        unique_id=f"{server.host}:{server.tls_port}",
        data={
            CONF_HOST: server.host,
            CONF_PORT: server.tls_port,
            CONF_USERNAME: server.ha_username,
            CONF_PASSWORD: server.secret,
            CONF_TLS: True,
            **trust,
        },
        subentries_data=e2e_subentries(),  # type: ignore[arg-type]
        entry_id=entry_id,
    )


@pytest.fixture(params=[VERIFY_PIN, VERIFY_CA])
def pbx_entry(
    request: pytest.FixtureRequest,
    clean_pbx: Pbx,
    tls: TlsSetup,  # noqa: F811
) -> MockConfigEntry:
    """conftest's entry, over TLS: pinned to the server's fingerprint, or
    verified against the CA that signed it (for 127.0.0.1)."""
    if request.param == VERIFY_PIN:
        trust = {
            CONF_TLS_VERIFY: VERIFY_PIN,
            CONF_TLS_FINGERPRINT: tls.server.sha256,
        }
    else:
        trust = {CONF_TLS_VERIFY: VERIFY_CA, CONF_TLS_CA: tls.ca.cert_pem}
    return tls_entry(tls, ENTRY_ID, trust)


async def test_call_flow_over_tls(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    tls: TlsSetup,  # noqa: F811
    pbx_entry: MockConfigEntry,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    # The integration's link is the TLS port, checked as the entry says.
    assert hub.client.port == tls.pbx.tls_port != clean_pbx.ami_port
    assert hub.client.tls is not None
    assert (
        hub.client.link_security is SECURITY[pbx_entry.data[CONF_TLS_VERIFY]]
    )  # tls_pinned / tls_ca
    # Set only once a TLS link passed the check.
    assert hub.client.server_certificate is not None
    assert hub.client.server_certificate.sha256 == tls.server.sha256
    # No repair issue for this link.
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"certificate_changed_{ENTRY_ID}") is None
    assert issues.async_get_issue(DOMAIN, f"plain_ami_link_{ENTRY_ID}") is None

    # The routing was written through the TLS link: Asterisk's CLI shows it.
    tree = await in_thread(hass, clean_pbx.astdb)
    assert tree == hub.astdb_tree()
    assert tree["route/101"] == "PJSIP/desk1&PJSIP/desk2"
    assert tree["route/102"] == "PJSIP/desk4"
    assert await hub.client.db_get("hotdesk/route", "101") == (
        "PJSIP/desk1&PJSIP/desk2"
    )

    # Desk 3 answers 300 ms after it rings (SIPp restarts, stays registered).
    await in_thread(hass, phones["desk3"].set_mode, "answer", 300)

    # A call to 101 rings Alice's home desks 1 and 2.
    await call_extension(ami, "101", CALLER_NUMBER, CALLER_NAME)
    for name in ("desk1", "desk2"):
        invite = await wait_sip(hass, phones[name], "INVITE")
        assert invite.caller_id_number == CALLER_NUMBER
        assert invite.caller_id_name == CALLER_NAME
    incoming = await hotdesk_events.wait("incoming_call")
    assert incoming["account_id"] == ALICE
    assert incoming["extension"] == "101"
    assert incoming["desks"] == sorted([D1, D2])
    assert incoming["caller_id_number"] == CALLER_NUMBER

    # Alice taps her card at desk 3: the call leaves desks 1 and 2 for desk 3.
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await wait_sip(hass, phones["desk1"], "CANCEL")
    await wait_sip(hass, phones["desk2"], "CANCEL")
    invite3 = await wait_sip(hass, phones["desk3"], "INVITE")
    assert invite3.caller_id_number == CALLER_NUMBER
    claimed = await hotdesk_events.wait("call_claimed")
    assert claimed["desk_id"] == D3
    assert sorted(claimed["from_desks"]) == sorted([D1, D2])
    assert claimed["via"] == "tag"
    answered = await hotdesk_events.wait("call_answered")
    assert answered["desk_id"] == D3

    # The caller hangs up: desk 3 gets a BYE, the call ends.
    calls = list(hub.tracker.calls.values())
    assert len(calls) == 1, calls
    await ami.send({"Action": "Hangup", "Channel": calls[0].caller_channel})
    await wait_sip(hass, phones["desk3"], "BYE")
    ended = await hotdesk_events.wait("call_ended")
    assert ended["outcome"] == "answered"
    # Once: every channel is gone, and a reply over the TLS link comes after
    # every event Asterisk sent before it; still one call_ended.
    await until_in_thread(
        hass, lambda: clean_pbx.channel_count() == 0, what="no channels left"
    )
    await hub.client.ping()
    await until(lambda: not hub.tracker.calls, what="no calls tracked")
    await hass.async_block_till_done()
    assert hotdesk_events.types() == [
        "incoming_call",
        "call_claimed",
        "call_answered",
        "call_ended",
    ]
    assert len(phones["desk1"].invites) == len(phones["desk2"].invites) == 1
    assert len(phones["desk3"].invites) == 1
    assert phones["desk4"].invites == []
    assert hub.connected


async def test_wrong_pin_keeps_the_entry_down_with_a_repair(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    tls: TlsSetup,  # noqa: F811
) -> None:
    # A certificate of the same CA, but not the one the PBX shows.
    wrong = make_certificate(tls.ca).sha256
    assert wrong != tls.server.sha256
    entry = tls_entry(
        tls,
        WRONG_PIN_ENTRY_ID,
        {CONF_TLS_VERIFY: VERIFY_PIN, CONF_TLS_FINGERPRINT: wrong},
    )
    entry.add_to_hass(hass)
    try:
        assert not await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        issue = ir.async_get(hass).async_get_issue(
            DOMAIN, f"certificate_changed_{entry.entry_id}"
        )
        assert issue is not None
        assert issue.severity is ir.IssueSeverity.ERROR
        assert issue.translation_placeholders is not None
        # The repair names the certificate the PBX really showed.
        assert issue.translation_placeholders["fingerprint"] == tls.server.sha256
        assert issue.translation_placeholders["host"] == (
            f"{tls.pbx.host}:{tls.pbx.tls_port}"
        )
        # Never logged in: nothing of the integration reached the AstDB.
        assert await in_thread(hass, clean_pbx.astdb) == {}
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
