"""The SIPp desk phones themselves: a port taken meanwhile is picked again.

The phones pick free UDP ports and hand them to SIPp; another process can
bind one first (CI once failed a setup that way: SIPp exit 254, "fatal error
binding a socket"). The REGISTER, or the listening SIPp, then runs again
with new ports.
"""

from __future__ import annotations

from collections.abc import Iterator
import socket
from typing import Any

import pytest

from . import sip_phone
from .conftest import Pbx
from .sip_phone import LOOPBACK, SipPhone

pytestmark = pytest.mark.e2e


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A UDP port on loopback that another socket holds."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        yield sock.getsockname()[1]


def test_register_retries_when_a_port_was_taken(
    clean_pbx: Pbx,
    tmp_path: Any,
    taken_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first REGISTER gets a port that is taken; the phone still registers."""
    real_pick = sip_phone.free_udp_port
    exits: list[int] = []
    registering = False
    handed_out = False

    def pick(host: str = LOOPBACK) -> int:
        # The first port the first REGISTER run asks for (its -p) is taken.
        nonlocal handed_out
        if registering and not handed_out:
            handed_out = True
            return taken_port
        return real_pick(host)

    real_once = SipPhone._run_register_once

    def once(self: SipPhone, *args: Any, **kwargs: Any) -> int:
        nonlocal registering
        registering = True
        code = real_once(self, *args, **kwargs)
        exits.append(code)
        return code

    monkeypatch.setattr(sip_phone, "free_udp_port", pick)
    monkeypatch.setattr(SipPhone, "_run_register_once", once)
    phone = SipPhone("desk1", clean_pbx.sip_port, work_dir=tmp_path)
    try:
        phone.start()
        assert phone.registered
        assert exits == [sip_phone.SIPP_EXIT_BIND_ERROR, 0]
        assert "desk1" in clean_pbx.cli("pjsip show contacts")
    finally:
        phone.stop()


def test_listening_retries_when_a_port_was_taken(
    clean_pbx: Pbx,
    tmp_path: Any,
    taken_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The phone's first SIPp gets a media port that is taken; it still rings."""
    real_media = sip_phone.free_media_port
    handed_out = False

    def media(host: str = LOOPBACK) -> int:
        nonlocal handed_out
        if not handed_out:
            handed_out = True
            return taken_port
        return real_media(host)

    exits: list[int] = []
    real_once = SipPhone._start_uas_once

    def once(self: SipPhone, *args: Any, **kwargs: Any) -> int:
        code = real_once(self, *args, **kwargs)
        exits.append(code)
        return code

    monkeypatch.setattr(sip_phone, "free_media_port", media)
    monkeypatch.setattr(SipPhone, "_start_uas_once", once)
    phone = SipPhone("desk2", clean_pbx.sip_port, work_dir=tmp_path)
    try:
        phone.start()
        assert phone.running
        assert phone.registered
        assert exits == [sip_phone.SIPP_EXIT_BIND_ERROR, 0]
    finally:
        phone.stop()
