"""What a PIV card's challenge costs a claim: card on a reader -> DialBegin.

One run: a real Asterisk 22 (scripts/asterisk, AMI_PORT 16538 / SIP_PORT 16560
unless set), four SIPp desk phones that ring, a private pcscd with vpcd
readers (``tests/pcsc_env.py``; needs root), and Home Assistant in this process
with the integration. Desk 3 has the reader "Virtual PCD 00 00". One software
PIV card (``tests/piv_card.py``, ECC P-256 unless ``--key``) is used two ways,
alternating:

- ``piv``: the card as it is. Extension 101 (Person 1) requires an
  authenticated card with this card's key enrolled: the reader reads the UID,
  selects PIV, reads the certificate, sends a fresh challenge, and HA checks
  the signature before the claim;
- ``uid``: the same card with its PIV application hidden (SELECT fails, as on
  a MIFARE card): a UID-only read. Its UID is Person 2's tag (102, no policy).

Each iteration calls the extension (Originate into ``hotdesk-inbound``), waits
until its home desks ring, puts the card on the reader, and times from the
card's first APDU (the reader starting to read it; before that, pcscd's own
polling of the virtual reader, the same for both kinds, reported apart) to
Asterisk's ``DialBegin`` towards desk 3. The floor is the ``uid`` kind: the
same claim without the challenge; the difference is what the challenge costs.

    bench/card_claim.py             # 40 of each kind
    bench/card_claim.py --runs 10   # shorter
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    OUT,
    SOURCE_CPU,
    asterisk,
    loadavg,
    percentile,
    record,
    start_pbx,
    summary,
    until,
    versions,
)


async def wait(predicate: Any, what: str) -> None:
    """Until ``predicate`` holds (10 s at most); times come from callbacks."""
    await until(predicate, what, limit=10.0, poll=0.002)


KINDS = ("piv", "uid")
PIV_UID, PLAIN_UID = "04A23BC1", "04B0B0B0"
WARMUP = 2


async def run(args: argparse.Namespace, pbx: dict[str, str]) -> dict[str, Any]:
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from homeassistant.core import Event, callback  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    from bench.hass_env import (  # noqa: PLC0415
        account_id,
        bench_hass,
        desk_id,
        make_entry,
        setup_entry,
    )
    from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415
    from custom_components.hotdesk_phone.ami_wire import AmiEvent  # noqa: PLC0415
    from custom_components.hotdesk_phone.const import (  # noqa: PLC0415
        CONF_CARD_CERTIFICATES,
        CONF_CARD_REQUIRED,
        CONF_READERS,
        CONF_SCAN_DEBOUNCE_SECONDS,
        CONF_TAGS,
        CONTEXT_INBOUND,
    )
    from tests import pcsc_env  # noqa: PLC0415
    from tests.e2e.sip_phone import SipPhone  # noqa: PLC0415
    from tests.piv_card import PivApplet, PivVirtualCard  # noqa: PLC0415

    if reason := pcsc_env.unavailable_reason():
        raise SystemExit(reason)
    env = pcsc_env.environment()
    env.start()
    host, port = pbx["AMI_HOST"], int(pbx["AMI_PORT"])
    user, secret = pbx["AMI_USERNAME"], pbx["AMI_SECRET"]
    phones_dir = OUT / "card-claim-phones"
    shutil.rmtree(phones_dir, ignore_errors=True)
    phones = [
        SipPhone(
            name, int(pbx["SIP_PORT"]), mode="ring", work_dir=phones_dir / name
        ).start()
        for name in ("desk1", "desk2", "desk3", "desk4")
    ]
    for phone in phones:
        subprocess.run(  # noqa: ASYNC221 (before anything is measured)
            ["taskset", "-cp", str(SOURCE_CPU), str(phone.pid)],
            capture_output=True,
            check=False,
        )
    applet = PivApplet(args.key, "Person 1")
    samples: dict[str, list[float]] = {
        k: [] for k in (*KINDS, "piv_after_card", "uid_after_card", "poll")
    }
    apdus: dict[str, int] = {}
    try:
        async with bench_hass() as hass:
            assert await async_setup_component(hass, "tag", {})
            base = make_entry(port, 4, 2, secret, username=user)
            data = [
                {
                    "subentry_id": sub.subentry_id,
                    "subentry_type": sub.subentry_type,
                    "title": sub.title,
                    "unique_id": None,
                    "data": dict(sub.data),
                }
                for sub in base.subentries.values()
            ]
            for item in data:
                if item["subentry_id"] == desk_id(3):
                    item["data"][CONF_READERS] = [pcsc_env.READERS[0]]
                if item["subentry_id"] == account_id(1):
                    item["data"][CONF_TAGS] = [PIV_UID]
                    item["data"][CONF_CARD_CERTIFICATES] = [
                        base64.b64encode(applet.certificate).decode()
                    ]
                    item["data"][CONF_CARD_REQUIRED] = True
                if item["subentry_id"] == account_id(2):
                    item["data"][CONF_TAGS] = [PLAIN_UID]
            entry = MockConfigEntry(
                domain=base.domain,
                title=base.title,
                unique_id=base.unique_id,
                data=dict(base.data),
                options={CONF_SCAN_DEBOUNCE_SECONDS: 0},
                subentries_data=data,  # type: ignore[arg-type]
                entry_id=base.entry_id,
            )
            await setup_entry(hass, entry)
            hub = entry.runtime_data.hub
            monitor = entry.runtime_data.pcsc
            assert monitor is not None
            await wait(monitor.watcher.ready.is_set, "the reader watched")

            dialled: dict[str, float] = {}
            refused: list[Any] = []

            def on_driver_event(event: AmiEvent) -> None:
                dest = event.headers.get("DestChannel", "")
                if event.name == "DialBegin" and dest.startswith("PJSIP/desk3-"):
                    dialled.setdefault("at", time.perf_counter())

            @callback
            def on_refused(event: Event) -> None:
                refused.append(event.data)

            hass.bus.async_listen("hotdesk_phone_scan_refused", on_refused)
            driver = AmiClient(
                host=host,
                port=port,
                username=user,
                secret=secret,
                on_event=on_driver_event,
            )
            await driver.connect()
            started = time.monotonic()
            total = (args.runs + WARMUP) * len(KINDS)
            for index in range(total):
                kind = KINDS[index % len(KINDS)]
                account, extension = (
                    (account_id(1), "101") if kind == "piv" else (account_id(2), "102")
                )
                uid = PIV_UID if kind == "piv" else PLAIN_UID
                await driver.originate(
                    "Local/s@test-caller",
                    CONTEXT_INBOUND,
                    extension,
                    caller_id=f'"Bench {index}" <55{index:05d}>',
                )
                await wait(
                    lambda a=account: (
                        (c := hub.tracker.call_for_account(a)) is not None
                        and len(c.ringing) == 2
                    ),
                    "call ringing at its home desks",
                )
                call = hub.tracker.call_for_account(account)
                assert call is not None
                await asyncio.sleep(args.settle)
                dialled.clear()
                applet.hidden = kind == "uid"
                card = PivVirtualCard(env, uid, 0, applet)
                challenges = applet.challenges
                presented = time.perf_counter()
                await card.present()
                await wait(lambda: "at" in dialled or bool(refused), "desk 3 dialled")
                if refused:
                    raise SystemExit(f"{kind} scan refused: {refused}")
                if (applet.challenges > challenges) != (kind == "piv"):
                    raise SystemExit(
                        f"{kind}: challenged {applet.challenges - challenges}"
                    )
                first = card.first_apdu_at
                assert first is not None
                if index >= WARMUP * len(KINDS):
                    samples[kind].append((dialled["at"] - first) * 1000)
                    # HA's part: the card's last answer -> DialBegin.
                    last = card.last_apdu_at or first
                    samples[f"{kind}_after_card"].append((dialled["at"] - last) * 1000)
                    apdus[kind] = len(card.apdus)
                    samples["poll"].append((first - presented) * 1000)
                await card.remove()
                await wait(
                    lambda: not env.card_present(pcsc_env.READERS[0]), "card off"
                )
                await driver.send({"Action": "Hangup", "Channel": call.caller_channel})
                await wait(lambda: not hub.tracker.calls, "call ended")
            duration = round(time.monotonic() - started, 1)
            await driver.close()
    finally:
        for phone in phones:
            phone.stop()
        env.stop()
    return {"samples": samples, "duration_s": duration, "apdus": apdus}


def main() -> None:
    parser = argparse.ArgumentParser(description="PIV card claim latency")
    parser.add_argument("--runs", type=int, default=40, help="claims of each kind")
    parser.add_argument("--key", default="p256", choices=("p256", "p384", "rsa2048"))
    parser.add_argument(
        "--settle", type=float, default=0.05, help="seconds of quiet before a tap"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    env = {
        "AMI_PORT": os.environ.get("AMI_PORT", "16538"),
        "SIP_PORT": os.environ.get("SIP_PORT", "16560"),
    }
    run_dir = OUT / "card-claim-asterisk"
    pbx = start_pbx(run_dir, env)
    try:
        version = asterisk(
            "cli", str(run_dir), "core show version", env=env
        ).stdout.strip()
        load = loadavg()
        result = asyncio.run(run(args, pbx))
    finally:
        asterisk("stop", str(run_dir), env=env)
    samples = result["samples"]
    figures = {
        kind: {**summary(values, 3), "p95": round(percentile(values, 95), 3)}
        for kind, values in samples.items()
    }
    ours, floor = figures["piv"], figures["uid"]
    payload = {
        "what": "a card's first APDU at a reader on the HA host -> Asterisk's DialBegin to the claiming desk: a PIV card authenticated (select, certificate, GENERAL AUTHENTICATE to 9E, signature checked) vs the same card read by UID only (floor), alternating in one run; poll: card put on the vpcd reader -> its first APDU (pcscd's polling, the same for both)",
        "unit": "ms",
        "figures": figures,
        "summary": {
            "piv_p50_ms": ours["p50"],
            "piv_p95_ms": ours["p95"],
            "uid_p50_ms": floor["p50"],
            "uid_p95_ms": floor["p95"],
            "challenge_cost_p50_ms": round(ours["p50"] - floor["p50"], 3),
            # The cost split: more APDUs through the reader, and HA's work
            # from the card's last answer to DialBegin (signature check, claim).
            "apdus": result["apdus"],
            "piv_after_card_p50_ms": figures["piv_after_card"]["p50"],
            "uid_after_card_p50_ms": figures["uid_after_card"]["p50"],
            "ratios_to_floor": {
                "p50": round(ours["p50"] / floor["p50"], 2),
                "p95": round(ours["p95"] / floor["p95"], 2),
            },
        },
        "floor": "the same claim from a UID-only read of the same card",
        "parameters": {
            "runs": args.runs,
            "warmup": WARMUP,
            "key": args.key,
            "settle_s": args.settle,
            "ami_port": env["AMI_PORT"],
            "sip_port": env["SIP_PORT"],
            "duration_s": result["duration_s"],
        },
        "versions": {
            "asterisk": version,
            **versions("homeassistant", "cryptography", "pyscard"),
        },
        "load_before": load,
    }
    record("card_claim", payload)
    for kind, fig in figures.items():
        print(
            f"{kind:5s} p50 {fig['p50']:.3f} ms  p95 {fig['p95']:.3f} ms"
            f"  (min {fig['min']:.3f}, max {fig['max']:.3f}, n {fig['n']})"
        )
    print("APDUs per read:", result["apdus"])
    print("challenge cost p50:", payload["summary"]["challenge_cost_p50_ms"], "ms")


if __name__ == "__main__":
    main()
