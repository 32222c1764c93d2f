"""Chaos on real parts: Asterisk killed, the AMI link frozen, HA restarted.

The same office as the other e2e tests (a real Asterisk 22, SIPp desk phones,
the integration in HA's test harness). Each scenario breaks something while
calls ring and then checks that nothing was lost:

- every call ends exactly once (one ``hotdesk_phone_call_ended`` per call id),
  at one desk or missed, and its events tell one consistent story;
- the events match what the phones saw (an INVITE at the claiming desk for
  every ``call_claimed``, CANCELs at the desks it left);
- the AstDB tree in Asterisk equals what HA holds;
- the hub recovers: connected again, and a new call rings and can be claimed.

Detection and recovery times are printed (``pytest -s``), not asserted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PORT, STATE_ON
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone import hub as hub_module
from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    CAROL,
    D1,
    D2,
    D3,
    D4,
    ENTRY_ID,
    LOOPBACK,
    EventLog,
    Pbx,
    call_extension,
    e2e_subentries,
    entity_state,
    in_thread,
    until,
)
from .sip_phone import SipPhone

pytestmark = pytest.mark.e2e

# Generous bounds: a restart of Asterisk takes about 0.7 s here.
RECOVER_TIMEOUT = 20.0


def report(text: str) -> None:
    print(f"[e2e chaos] {text}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# What must hold after every scenario ------------------------------------------


def story(log: EventLog, call_id: str) -> list[str]:
    """The call events of one call, in order (claim refusals left out)."""
    return [
        kind
        for _, kind, data in log.events
        if data.get("call_id") == call_id and kind != "claim_refused"
    ]


def assert_ended_once(log: EventLog, call_ids: list[str]) -> dict[str, str]:
    """Each call ended exactly once with one consistent story; the outcomes.

    A call is missed (``call_missed``, never claimed nor answered), or claimed
    to exactly one desk, or answered at exactly one desk.
    """
    ended = [data["call_id"] for data in log.of("call_ended")]
    assert len(ended) == len(set(ended)), f"a call ended twice: {ended}"
    outcomes: dict[str, str] = {}
    for call_id in call_ids:
        kinds = story(log, call_id)
        assert kinds.count("call_ended") == 1, (call_id, kinds)
        assert kinds[-1] == "call_ended", (call_id, kinds)
        for once in ("incoming_call", "call_claimed", "call_answered", "call_missed"):
            assert kinds.count(once) <= 1, (call_id, kinds)
        outcome = next(
            d["outcome"] for d in log.of("call_ended") if d["call_id"] == call_id
        )
        outcomes[call_id] = outcome
        if outcome == "missed":
            assert "call_missed" in kinds, (call_id, kinds)
            assert "call_claimed" not in kinds, (call_id, kinds)
            assert "call_answered" not in kinds, (call_id, kinds)
        else:
            assert "call_missed" not in kinds, (call_id, kinds)
        if outcome == "claimed_unanswered":
            assert kinds.count("call_claimed") == 1, (call_id, kinds)
            assert "call_answered" not in kinds, (call_id, kinds)
        if outcome == "answered":
            assert kinds.count("call_answered") == 1, (call_id, kinds)
    return outcomes


async def assert_astdb_matches(hass: HomeAssistant, pbx: Pbx, hub: HotdeskHub) -> None:
    """What Asterisk holds is what HA shows."""
    tree = await in_thread(hass, pbx.astdb)
    # The whole tree the hub writes (routing and emergency keys).
    assert tree == hub.astdb_tree()


def invites_from(phone: SipPhone, number: str) -> int:
    """INVITEs a phone got for the caller with this number."""
    return sum(1 for m in phone.invites if m.caller_id_number == number)


def cancels_for(phone: SipPhone, number: str) -> int:
    """CANCELs a phone got for the caller's INVITEs (matched by Call-ID)."""
    call_ids = {m.call_id for m in phone.invites if m.caller_id_number == number}
    return sum(1 for m in phone.cancels if m.call_id in call_ids)


# Helpers ------------------------------------------------------------------


async def ring(
    hass: HomeAssistant,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    log: EventLog,
    extension: str,
    number: str,
    desks: tuple[str, ...],
) -> str:
    """Call an extension with a caller number of its own; its call id."""
    await until(lambda: ami.connected, RECOVER_TIMEOUT, "control AMI link")
    await call_extension(ami, extension, number, f"Caller {number}")
    for name in desks:
        await hass.async_add_executor_job(
            lambda p=phones[name]: until_sync(lambda: invites_from(p, number) == 1)
        )
    await until(
        lambda: any(d["caller_id_number"] == number for d in log.of("incoming_call")),
        what=f"incoming_call from {number}",
    )
    return next(
        d["call_id"] for d in log.of("incoming_call") if d["caller_id_number"] == number
    )


def until_sync(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a predicate in a worker thread (SIPp traces are files)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.01)


async def hang_up(
    hass: HomeAssistant, ami: AmiClient, hub: HotdeskHub, cid: str
) -> None:
    """The outside caller of one call hangs up."""
    call = hub.tracker.calls.get(cid)
    assert call is not None, f"call {cid} not tracked: {hub.tracker.calls}"
    await ami.send({"Action": "Hangup", "Channel": call.caller_channel})


async def restart_after_kill(
    hass: HomeAssistant, pbx: Pbx, hub: HotdeskHub, phones: dict[str, SipPhone]
) -> tuple[float, float]:
    """Asterisk was SIGKILLed: start it; (seconds to detect, to reconnect)."""
    loop = asyncio.get_running_loop()
    killed = loop.time()
    detect = await until(lambda: not hub.connected, RECOVER_TIMEOUT, "disconnect")
    await in_thread(hass, pbx.start)
    started = loop.time()
    await until(lambda: hub.connected, RECOVER_TIMEOUT, "reconnect")
    reconnect = loop.time() - started
    report(
        f"SIGKILL -> hub disconnected {ms(detect)}; Asterisk started in "
        f"{ms(pbx.start_seconds or 0)}, then hub connected and resynced "
        f"{ms(reconnect)} later (resync {ms(hub.last_resync_seconds or 0)}); "
        f"kill -> back {ms(loop.time() - killed)}"
    )
    # A new Asterisk knows no contacts: the phones register again.
    for phone in phones.values():
        await in_thread(hass, phone.register)
    return detect, reconnect


async def claim_works(
    hass: HomeAssistant,
    ami: AmiClient,
    hub: HotdeskHub,
    phones: dict[str, SipPhone],
    log: EventLog,
    number: str,
) -> str:
    """A new call to 101 rings desks 1+2; Alice's scan at desk 3 moves it."""
    cid = await ring(hass, ami, phones, log, "101", number, ("desk1", "desk2"))
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk3"], number) == 1)
    )
    for name in ("desk1", "desk2"):
        await hass.async_add_executor_job(
            lambda p=phones[name]: until_sync(lambda: cancels_for(p, number) == 1)
        )
    await until(
        lambda: any(d["call_id"] == cid for d in log.of("call_claimed")),
        what="call_claimed",
    )
    claimed = next(d for d in log.of("call_claimed") if d["call_id"] == cid)
    assert claimed["desk_id"] == D3
    assert sorted(claimed["from_desks"]) == sorted([D1, D2])
    await hang_up(hass, ami, hub, cid)
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: cancels_for(phones["desk3"], number) == 1)
    )
    await until(
        lambda: any(d["call_id"] == cid for d in log.of("call_ended")),
        what="call_ended",
    )
    return cid


# 1. Asterisk SIGKILLed ------------------------------------------------------


async def test_asterisk_killed_while_calls_ring(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """Two calls ring; Asterisk dies (SIGKILL): both end once; all recovers."""
    await hub.async_login(ALICE, D4)  # a login the restart must restore
    alice = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550101", ("desk1", "desk2", "desk4")
    )
    carol = await ring(hass, ami, phones, hotdesk_events, "102", "5550102", ("desk4",))
    assert {c.call_id for c in list(hub.tracker.calls.values())} == {alice, carol}

    await in_thread(hass, clean_pbx.kill)
    await restart_after_kill(hass, clean_pbx, hub, phones)

    # The PBX lost every channel: each call ends, once, as missed.
    await until(lambda: not hub.tracker.calls, what="calls ended after the resync")
    await hass.async_block_till_done()
    assert assert_ended_once(hotdesk_events, [alice, carol]) == {
        alice: "missed",
        carol: "missed",
    }
    assert hotdesk_events.of("call_claimed") == []
    # The fresh AstDB holds the whole tree again, the login included.
    await assert_astdb_matches(hass, clean_pbx, hub)
    assert hub.directory.astdb(hub.logins)["route/101"] == (
        "PJSIP/desk1&PJSIP/desk2&PJSIP/desk4"
    )
    assert entity_state(hass, f"{ENTRY_ID}_pbx_connected", "binary_sensor").state == (
        STATE_ON
    )
    await until(
        lambda: entity_state(hass, f"{ALICE}_account_call_state").state == "idle",
        what="Alice idle",
    )
    # A new call rings at the restored route and is claimed by a scan.
    await hub.async_logout(D4, "action")
    after = await claim_works(hass, ami, hub, phones, hotdesk_events, "5550103")
    outcomes = assert_ended_once(hotdesk_events, [alice, carol, after])
    assert outcomes[after] == "claimed_unanswered"
    await assert_astdb_matches(hass, clean_pbx, hub)


async def test_asterisk_killed_right_after_a_claim(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """SIGKILL just after a claim's Redirect (answered, then in flight).

    First the Redirect's reply has come and desk 3 rings: the call ends once
    as claimed. Then Asterisk dies right after the Redirect (to desk 4) was
    written: whatever the PBX did, the call ends once, as claimed exactly
    when HA reported the claim, and it is never moved twice.
    """
    # (a) The claim was acknowledged, then the PBX dies.
    first = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550201", ("desk1", "desk2")
    )
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hotdesk_events.wait("call_claimed")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk3"], "5550201") == 1)
    )
    await in_thread(hass, clean_pbx.kill)
    await restart_after_kill(hass, clean_pbx, hub, phones)
    await until(lambda: not hub.tracker.calls, what="call ended after the resync")
    outcomes = assert_ended_once(hotdesk_events, [first])
    assert outcomes[first] == "claimed_unanswered"
    assert [d["desk_id"] for d in hotdesk_events.of("call_claimed")] == [D3]
    await assert_astdb_matches(hass, clean_pbx, hub)

    # (b) The PBX dies right after the Redirect was written (a scan at desk
    # 4: the same tag at desk 3's scanner again would be a double tap).
    second = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550202", ("desk1", "desk2")
    )
    redirects: list[str] = []
    original = hub.client.redirect

    async def redirect_then_kill(channel: str, *args: Any, **kwargs: Any) -> None:
        redirects.append(channel)
        sent = asyncio.ensure_future(original(channel, *args, **kwargs))
        await asyncio.sleep(0)  # the action is on the wire now
        clean_pbx.kill_now()  # before Asterisk's reply can be read
        await sent

    hub.client.redirect = redirect_then_kill  # type: ignore[method-assign]
    try:
        await async_scan_tag(hass, "tag-alice", "scanner-4")
        await until(lambda: bool(redirects), what="the claim's Redirect")
        await in_thread(hass, clean_pbx.kill)  # waits until gone, tidies up
        await restart_after_kill(hass, clean_pbx, hub, phones)
    finally:
        hub.client.redirect = original  # type: ignore[method-assign]
    await until(lambda: not hub.tracker.calls, what="call ended after the resync")
    await hass.async_block_till_done()
    assert len(redirects) == 1
    outcomes = assert_ended_once(hotdesk_events, [first, second])
    rang_at_desk4 = invites_from(phones["desk4"], "5550202")
    claimed = [d for d in hotdesk_events.of("call_claimed") if d["call_id"] == second]
    report(
        f"Redirect in flight when SIGKILLed: desk 4 got {rang_at_desk4} INVITE(s); "
        f"HA: {story(hotdesk_events, second)}, outcome {outcomes[second]}, "
        f"refusals {[d['reason'] for d in hotdesk_events.of('claim_refused')]}"
    )
    # Moved at most once. Whether desk 4 rang depends on where in Asterisk
    # the SIGKILL landed (the Redirect's Success reply can precede the
    # INVITE, and the INVITE the reply): after a SIGKILL nobody can know,
    # so HA may report the claim (PBX said Success) or not, but not both
    # a claim and a refusal, and the outcome follows what it reported.
    assert rang_at_desk4 <= 1
    refused = [
        d["reason"]
        for d in hotdesk_events.of("claim_refused")
        if d["call_id"] == second
    ]
    assert not (claimed and refused), (claimed, refused)
    assert [d["desk_id"] for d in claimed] in ([], [D4])
    assert outcomes[second] == ("claimed_unanswered" if claimed else "missed")
    await assert_astdb_matches(hass, clean_pbx, hub)

    # The hub works again: a new call is claimed.
    third = await claim_works(hass, ami, hub, phones, hotdesk_events, "5550203")
    assert_ended_once(hotdesk_events, [first, second, third])


# 2. The AMI link frozen -----------------------------------------------------


class FreezableProxy:
    """A TCP proxy on 127.0.0.1 that can stop forwarding without closing.

    While frozen, bytes are read and held (so neither end sees an error)
    and new connections are accepted and held the same way: the link is
    silent, like a cable pulled between two switches. ``freeze(replies_only
    =True)`` holds only what the PBX sends: actions still reach it, their
    replies and events do not come back. Resumed, held bytes flow again.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._to_pbx = asyncio.Event()
        self._to_hub = asyncio.Event()
        self.resume()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def freeze(self, *, replies_only: bool = False) -> None:
        self._to_hub.clear()
        if not replies_only:
            self._to_pbx.clear()

    def resume(self) -> None:
        self._to_pbx.set()
        self._to_hub.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        self._writers.add(client_w)
        try:
            up_r, up_w = await asyncio.open_connection(LOOPBACK, self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        self._writers.add(up_w)
        for source, sink, flowing in (
            (client_r, up_w, self._to_pbx),
            (up_r, client_w, self._to_hub),
        ):
            task = asyncio.ensure_future(
                self._pump(source, sink, flowing, (client_w, up_w))
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        flowing: asyncio.Event,
        both: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        try:
            while data := await source.read(65536):
                await flowing.wait()
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in both:
                writer.transport.abort()
                self._writers.discard(writer)


@pytest.fixture
async def frozen_link_hub(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    pbx_entry: MockConfigEntry,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[HotdeskHub, FreezableProxy]]:
    """The integration connected to Asterisk through a FreezableProxy.

    Keep-alive lowered from 20 s to 0.5 s (Ping reply timeout 1 s) so the
    test is quick; the figures scale with these settings.
    """
    proxy = FreezableProxy(clean_pbx.ami_port)
    await proxy.start()
    monkeypatch.setattr(hub_module, "KEEPALIVE_INTERVAL", 0.5)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=pbx_entry.title,
        unique_id=f"{LOOPBACK}:{proxy.port}",
        data={**pbx_entry.data, CONF_PORT: proxy.port},
        subentries_data=e2e_subentries(),  # type: ignore[arg-type]
        entry_id=ENTRY_ID,
    )
    entry.add_to_hass(hass)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        hub: HotdeskHub = entry.runtime_data.hub
        assert hub.connected
        assert hub.client.ping_interval == 0.5
        hub.client.action_timeout = 1.0  # the Ping's reply timeout
        hub.client.connect_timeout = 1.0
        hub.client.reconnect_min_delay = 0.05
        hub.client.reconnect_max_delay = 0.2
        yield hub, proxy
    finally:
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
        await proxy.close()


async def test_ami_link_frozen(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    frozen_link_hub: tuple[HotdeskHub, FreezableProxy],
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """The link goes silent: the keep-alive notices; after it flows, all is right.

    While frozen the caller of a ringing call hangs up and a new call comes
    in (HA cannot hear either): after the recovery the first call has ended
    once, the second is adopted and a scan claims it.
    """
    hub, proxy = frozen_link_hub
    loop = asyncio.get_running_loop()
    first = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550301", ("desk1", "desk2")
    )

    proxy.freeze()
    frozen_at = loop.time()
    await hang_up(hass, ami, hub, first)  # on the control link: unseen by HA
    await call_extension(ami, "102", "5550302", "Caller 5550302")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk4"], "5550302") == 1)
    )
    await until(lambda: not hub.connected, RECOVER_TIMEOUT, "frozen link dropped")
    detected = loop.time() - frozen_at
    assert first in hub.tracker.calls  # HA heard nothing meanwhile
    assert hotdesk_events.of("call_ended") == []
    # Stay frozen a little longer: reconnect attempts meet the silent link.
    await asyncio.sleep(1.5)
    assert not hub.connected
    proxy.resume()
    resumed_at = loop.time()
    await until(lambda: hub.connected, RECOVER_TIMEOUT, "reconnect through the proxy")
    recovered = loop.time() - resumed_at
    report(
        f"AMI link frozen: detected after {ms(detected)} (keep-alive every "
        f"{hub.client.ping_interval} s, reply timeout {hub.client.action_timeout} s); "
        f"recovered {ms(recovered)} after the link flowed again "
        f"(resync {ms(hub.last_resync_seconds or 0)}, "
        f"{proxy.connections} TCP connections through the proxy)"
    )
    await hass.async_block_till_done()
    # The call that ended while HA was deaf ended once; the new one is known.
    assert assert_ended_once(hotdesk_events, [first]) == {first: "missed"}
    carol = hub.tracker.call_for_account(CAROL)
    assert carol is not None
    assert carol.caller_id_number == "5550302"
    assert carol.ringing_desks == [D4]
    await assert_astdb_matches(hass, clean_pbx, hub)
    # A scan claims the adopted call: desk 3 rings, desk 4 stops.
    await async_scan_tag(hass, "tag-carol", "scanner-3")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk3"], "5550302") == 1)
    )
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: cancels_for(phones["desk4"], "5550302") == 1)
    )
    claimed = await hotdesk_events.wait("call_claimed")
    assert (claimed["call_id"], claimed["desk_id"]) == (carol.call_id, D3)
    await hang_up(hass, ami, hub, carol.call_id)
    await until(lambda: not hub.tracker.calls, what="call ended")
    outcomes = assert_ended_once(hotdesk_events, [first, carol.call_id])
    assert outcomes[carol.call_id] == "claimed_unanswered"


async def test_redirect_reply_lost(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    frozen_link_hub: tuple[HotdeskHub, FreezableProxy],
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """The link goes silent right after a claim's Redirect was written.

    Asterisk gets the Redirect and moves the call (desk 3 rings and answers),
    but neither its reply nor its events reach HA; the keep-alive drops the
    link. After the reconnect the call's state is what the PBX shows: claimed
    once to desk 3 and answered there, never redirected again (a later scan
    of the same card moves nothing), and it ends once, answered.
    """
    hub, proxy = frozen_link_hub
    await in_thread(hass, phones["desk3"].set_mode, "answer", 300)
    cid = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550501", ("desk1", "desk2")
    )
    redirects: list[str] = []
    original = hub.client.redirect

    async def redirect_reply_lost(channel: str, *args: Any, **kwargs: Any) -> None:
        redirects.append(channel)
        proxy.freeze(replies_only=True)  # the action goes out, nothing comes back
        await original(channel, *args, **kwargs)

    hub.client.redirect = redirect_reply_lost  # type: ignore[method-assign]
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    # The phones show what the PBX did: the call moved to desk 3.
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk3"], "5550501") == 1)
    )
    for name in ("desk1", "desk2"):
        await hass.async_add_executor_job(
            lambda p=phones[name]: until_sync(lambda: cancels_for(p, "5550501") == 1)
        )
    await until(lambda: not hub.connected, RECOVER_TIMEOUT, "silent link dropped")
    proxy.resume()
    await until(lambda: hub.connected, RECOVER_TIMEOUT, "reconnect")
    await hass.async_block_till_done()
    report(
        f"Redirect reply lost: HA after the reconnect: {story(hotdesk_events, cid)}, "
        f"refusals {[d['reason'] for d in hotdesk_events.of('claim_refused')]}"
    )
    claimed = [d for d in hotdesk_events.of("call_claimed") if d["call_id"] == cid]
    assert [d["desk_id"] for d in claimed] == [D3]
    await until(
        lambda: any(d["call_id"] == cid for d in hotdesk_events.of("call_answered")),
        what="call_answered",
    )
    answered = next(
        d for d in hotdesk_events.of("call_answered") if d["call_id"] == cid
    )
    assert answered["desk_id"] == D3
    assert [
        d["reason"] for d in hotdesk_events.of("claim_refused") if d["call_id"] == cid
    ] == []
    # The same card at another desk moves nothing: the call is up at desk 3.
    await async_scan_tag(hass, "tag-alice", "scanner-4")
    await hass.async_block_till_done()
    await asyncio.sleep(0.5)  # a second Redirect would have rung desk 4 by now
    assert redirects == [redirects[0]]
    assert invites_from(phones["desk4"], "5550501") == 0
    await hang_up(hass, ami, hub, cid)
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: bool(phones["desk3"].byes))
    )
    await until(lambda: cid not in hub.tracker.calls, what="call ended")
    assert assert_ended_once(hotdesk_events, [cid]) == {cid: "answered"}
    await assert_astdb_matches(hass, clean_pbx, hub)


# 3. Home Assistant restarted while a call rings -----------------------------


async def test_ha_restarted_while_a_call_rings(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """The entry unloads and loads again while 101 rings (and 102 starts).

    The PBX routes by itself meanwhile; after the restart both calls are
    adopted, Alice's scan at desk 3 moves hers (desk 3 INVITE, desks 1/2
    CANCEL), and each call ends once.
    """
    loop = asyncio.get_running_loop()
    alice = await ring(
        hass, ami, phones, hotdesk_events, "101", "5550401", ("desk1", "desk2")
    )
    started = loop.time()
    assert await hass.config_entries.async_unload(ENTRY_ID)
    await hass.async_block_till_done()
    # HA is down: a call comes in and rings by the AstDB routing alone.
    await call_extension(ami, "102", "5550402", "Caller 5550402")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk4"], "5550402") == 1)
    )
    assert hotdesk_events.of("call_ended") == []  # nothing ended by the stop
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    new_hub: HotdeskHub = entry.runtime_data.hub
    assert new_hub is not hub
    assert new_hub.connected
    report(
        f"HA entry unloaded and set up again in {ms(loop.time() - started)} "
        f"(resync {ms(new_hub.last_resync_seconds or 0)})"
    )
    adopted = new_hub.tracker.calls.get(alice)
    assert adopted is not None, new_hub.tracker.calls
    assert sorted(adopted.ringing_desks) == sorted([D1, D2])
    assert adopted.caller_id_number == "5550401"
    carol = new_hub.tracker.call_for_account(CAROL)
    assert carol is not None
    assert carol.ringing_desks == [D4]
    await until(
        lambda: entity_state(hass, f"{ALICE}_account_call_state").state == "ringing",
        what="Alice ringing in HA",
    )
    await assert_astdb_matches(hass, clean_pbx, new_hub)

    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_add_executor_job(
        lambda: until_sync(lambda: invites_from(phones["desk3"], "5550401") == 1)
    )
    for name in ("desk1", "desk2"):
        await hass.async_add_executor_job(
            lambda p=phones[name]: until_sync(lambda: cancels_for(p, "5550401") == 1)
        )
    claimed = await hotdesk_events.wait("call_claimed")
    assert (claimed["call_id"], claimed["desk_id"]) == (alice, D3)
    assert sorted(claimed["from_desks"]) == sorted([D1, D2])
    assert invites_from(phones["desk4"], "5550401") == 0

    for cid in (alice, carol.call_id):
        await hang_up(hass, ami, new_hub, cid)
    await until(lambda: not new_hub.tracker.calls, what="both calls ended")
    outcomes = assert_ended_once(hotdesk_events, [alice, carol.call_id])
    assert outcomes == {alice: "claimed_unanswered", carol.call_id: "missed"}
