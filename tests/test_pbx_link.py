"""The PBX link in Home Assistant: TLS in the PBX form, trust on first use,
a changed certificate, and how the link is shown.

Against the test AMI server over real TLS on loopback, with certificates
made in the test (a self-signed one, a CA and one it signed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir

from custom_components.hotdesk_phone.ami_tls import LinkSecurity
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.pbx_link import exposed

from .ami_server import AmiTestServer, TlsCredential, make_ca, make_certificate
from .helpers import hub_of, wait_for


@pytest.fixture
def self_signed() -> TlsCredential:
    """The PBX's self-signed certificate."""
    return make_certificate()


@pytest.fixture
async def tls_pbx(
    self_signed: TlsCredential, tmp_path: Path
) -> AsyncIterator[AmiTestServer]:
    """The test AMI server over TLS, self-signed."""
    server = AmiTestServer(ssl_context=self_signed.server_context(tmp_path))
    await server.start()
    yield server
    await server.stop()


def _form(server: AmiTestServer, **extra: Any) -> dict[str, Any]:
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: server.port,
        CONF_USERNAME: server.username,
        CONF_PASSWORD: server.secret,
        **extra,
    }


async def test_self_signed_pbx_is_pinned_after_confirmation(
    hass: HomeAssistant,
    tls_pbx: AmiTestServer,
    self_signed: TlsCredential,
    mock_setup_entry: None,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(tls_pbx, tls=True, tls_verify="pin")
    )
    # Trust on first use: the fingerprint is shown, nothing was logged in.
    assert result["step_id"] == "trust"
    assert result["description_placeholders"]["fingerprint"] == self_signed.sha256
    assert tls_pbx.logins == 0
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        **_form(tls_pbx),
        "tls": True,
        "tls_verify": "pin",
        "tls_fingerprint": self_signed.sha256,
    }
    assert tls_pbx.logins == 1


async def test_ca_checked_and_a_plain_port_refused(
    hass: HomeAssistant,
    tmp_path: Path,
    ami_server: AmiTestServer,
    mock_setup_entry: None,
) -> None:
    ca = make_ca()
    server = AmiTestServer(ssl_context=make_certificate(ca).server_context(tmp_path))
    await server.start()
    try:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        flow_id = result["flow_id"]
        configure = hass.config_entries.flow.async_configure
        result = await configure(flow_id, _form(server, tls=True, tls_verify="ca"))
        assert result["errors"] == {"tls_ca": "no_ca"}
        result = await configure(
            flow_id, _form(server, tls=True, tls_verify="ca", tls_ca="not a cert")
        )
        assert result["errors"] == {"tls_ca": "invalid_ca"}
        # Another CA's certificate: refused, and no login reached the PBX.
        result = await configure(
            flow_id,
            _form(server, tls=True, tls_verify="ca", tls_ca=make_ca().cert_pem),
        )
        assert result["errors"] == {"base": "certificate_mismatch"}
        assert server.logins == 0
        # TLS to a port that speaks plain AMI.
        result = await configure(
            flow_id, _form(ami_server, tls=True, tls_verify="ca", tls_ca=ca.cert_pem)
        )
        assert result["errors"] == {"base": "tls_failed"}
        result = await configure(
            flow_id, _form(server, tls=True, tls_verify="ca", tls_ca=ca.cert_pem)
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["data"]["tls_ca"] == ca.cert_pem.strip()
    finally:
        await server.stop()


async def test_changed_certificate_keeps_the_link_down_with_a_repair(
    hass: HomeAssistant, tls_pbx: AmiTestServer, self_signed: TlsCredential
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Asterisk 127.0.0.1",
        unique_id=f"127.0.0.1:{tls_pbx.port}",
        data={
            **_form(tls_pbx),
            "tls": True,
            "tls_verify": "pin",
            "tls_fingerprint": make_certificate().sha256,  # not the PBX's
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert tls_pbx.logins == 0
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"certificate_changed_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["fingerprint"] == self_signed.sha256
    # Reconfigure shows the new one to confirm; then the link is up and the
    # repair issue goes.
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(tls_pbx, tls=True, tls_verify="pin")
    )
    assert result["step_id"] == "trust"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["tls_fingerprint"] == self_signed.sha256
    assert hub_of(entry).client.link_security is LinkSecurity.TLS_PINNED
    await wait_for(
        hass,
        lambda: (
            ir.async_get(hass).async_get_issue(
                DOMAIN, f"certificate_changed_{entry.entry_id}"
            )
            is None
        ),
    )
    await hass.config_entries.async_unload(entry.entry_id)


def test_plain_link_is_exposed_only_across_a_network() -> None:
    assert exposed(LinkSecurity.PLAIN, peer_is_loopback=False)
    assert exposed(LinkSecurity.MD5_CHALLENGE, peer_is_loopback=False)
    assert not exposed(LinkSecurity.MD5_CHALLENGE, peer_is_loopback=True)
    assert not exposed(LinkSecurity.TLS_PINNED, peer_is_loopback=False)
    assert not exposed(None, peer_is_loopback=None)


async def test_plain_link_to_another_host_raises_a_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Tests listen on loopback only: the peer's address is what is faked."""
    issue_id = f"plain_ami_link_{init_integration.entry_id}"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    hub = hub_of(init_integration)
    with patch.object(type(hub.client), "peer_is_loopback", False):
        hub._update_exposed_issue()
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
