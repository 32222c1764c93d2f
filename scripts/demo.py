"""The hot-desk demo: a real Asterisk, SIPp desk phones, Home Assistant.

``scripts/develop`` (as root) uses the internal commands ``setup``,
``phones`` and ``welcome``; people use ``call``, ``scan``, ``status`` and
``db`` (run ``scripts/demo --help``). Everything talks to 127.0.0.1 only.

The demo office (written into Home Assistant's config entry storage before
it starts, only when no hotdesk_phone entry exists yet):

  desk    dial string   phone                      card reader (bridge id)
  Desk 1  PJSIP/desk1   rings until the call ends   demo-reader-desk1
  Desk 2  PJSIP/desk2   rings until the call ends   demo-reader-desk2
  Desk 3  PJSIP/desk3   answers after 3 s           demo-reader-desk3
  Desk 4  PJSIP/desk4   answers after 3 s           demo-reader-desk4

A scan is a post to the integration's card reader endpoint, as a desk-side
bridge makes it (the demo user is an administrator, who may post for any
reader); a tag_scanned event posted to HA's events API would not count.

  Alice  101  home desks 1 + 2  tags tag-alice, card 04:A2:3B:C1
  Carol  102  home desk 4       tag  tag-carol
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import threading
import time
from types import MappingProxyType
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOMAIN = "hotdesk_phone"
DEMO_ENTRY_ID = "01HOTDESKDEMOENTRY"
DEFAULT_RUN_DIR = ROOT / ".cache" / "develop-run"
DESKS = {
    "desk1": ("ring", 0),
    "desk2": ("ring", 0),
    "desk3": ("answer", 3000),
    "desk4": ("answer", 3000),
}
DESK_IDS = {name: f"01HOTDESKDEMO{name.upper()}" for name in DESKS}
ACCOUNTS = [
    ("01HOTDESKDEMOALICE", "Alice", "101", ["desk1", "desk2"],
     ["tag-alice", "04A23BC1"]),
    ("01HOTDESKDEMOCAROL", "Carol", "102", ["desk4"], ["tag-carol"]),
]  # fmt: skip
DEMO_USER = os.environ.get("HOTDESK_DEMO_USER", "demo")
DEMO_PASSWORD = os.environ.get("HOTDESK_DEMO_PASSWORD", "hotdesk-demo")


def run_dir() -> Path:
    return Path(os.environ.get("HOTDESK_DEMO_RUN_DIR", DEFAULT_RUN_DIR))


def reader_of(desk: str) -> str:
    return f"demo-reader-{desk}"


def desk_name(value: str) -> str:
    """desk3, 3, "Desk 3" -> desk3."""
    digits = re.sub(r"\D", "", value)
    name = f"desk{digits}"
    if name not in DESKS:
        raise SystemExit(f"unknown desk {value!r}: use one of {', '.join(DESKS)}")
    return name


# ------------------------------------------------------------------ state


def load_demo() -> dict[str, Any]:
    path = run_dir() / "demo.json"
    try:
        return json.loads(path.read_text())  # type: ignore[no-any-return]
    except FileNotFoundError:
        raise SystemExit(
            f"no demo running ({path} is missing): start it with scripts/develop "
            "(as root)"
        ) from None


def read_state(run: Path) -> dict[str, str]:
    """KEY=VALUE lines of scripts/asterisk's asterisk.state."""
    values: dict[str, str] = {}
    for line in (run / "asterisk.state").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key] = value.strip("'")
    return values


def ha_url(config_dir: Path) -> str:
    """http://host:port of the HA that configuration.yaml describes."""
    text = (config_dir / "configuration.yaml").read_text()
    port = re.search(r"^\s*server_port:\s*(\d+)", text, re.MULTILINE)
    host = re.search(r"^\s*server_host:\s*([0-9.]+)", text, re.MULTILINE)
    address = host.group(1) if host else "127.0.0.1"
    return f"http://{address}:{port.group(1) if port else 8123}"


# ------------------------------------------------------------------ setup


def demo_subentries() -> list[dict[str, Any]]:
    desks = [
        {
            "subentry_id": DESK_IDS[name],
            "subentry_type": "desk",
            "title": f"Desk {index}",
            "unique_id": None,
            "data": {
                "name": f"Desk {index}",
                "dial_string": f"PJSIP/{name}",
                "scanners": [],
                "readers": [reader_of(name)],
            },
        }
        for index, name in enumerate(DESKS, 1)
    ]
    accounts = [
        {
            "subentry_id": account_id,
            "subentry_type": "account",
            "title": name,
            "unique_id": None,
            "data": {
                "name": name,
                "extension": extension,
                "home_desks": [DESK_IDS[d] for d in home],
                "tags": tags,
                "notify_targets": [],
                "watch_targets": [],
            },
        }
        for account_id, name, extension, home, tags in ACCOUNTS
    ]
    return desks + accounts


def write_entry(config_dir: Path, ami: dict[str, Any]) -> str:
    """Add the demo entry to HA's storage (HA must not be running).

    Nothing changes when the user has a hotdesk_phone entry of their own;
    the demo's own entry only gets the current PBX's port and secret.
    """
    # HA's own classes make the storage format of the installed version.
    from homeassistant import config_entries  # noqa: PLC0415

    path = config_dir / ".storage" / "core.config_entries"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {
            "version": config_entries.STORAGE_VERSION,
            "minor_version": config_entries.STORAGE_VERSION_MINOR,
            "key": config_entries.STORAGE_KEY,
            "data": {"entries": []},
        }
    entries: list[dict[str, Any]] = stored["data"]["entries"]
    data = {
        "host": ami["host"],
        "port": ami["port"],
        "username": ami["username"],
        "password": ami["secret"],
    }
    unique_id = f"{ami['host']}:{ami['port']}"
    ours = [e for e in entries if e["domain"] == DOMAIN]
    if ours and all(e["entry_id"] != DEMO_ENTRY_ID for e in ours):
        return "kept your own hotdesk_phone entry (the demo PBX is not in it)"
    if ours:
        entry = next(e for e in ours if e["entry_id"] == DEMO_ENTRY_ID)
        readers_added = _add_demo_readers(entry)
        if entry["data"] == data and not readers_added:
            return "demo entry up to date"
        entry["data"] = data
        entry["unique_id"] = unique_id
        entry["modified_at"] = datetime.now(UTC).isoformat()
        result = "demo entry pointed at this run's PBX"
    else:
        entry_obj = config_entries.ConfigEntry(
            data=data,
            discovery_keys=MappingProxyType({}),
            domain=DOMAIN,
            entry_id=DEMO_ENTRY_ID,
            minor_version=1,
            options={},
            source=config_entries.SOURCE_USER,
            subentries_data=demo_subentries(),  # type: ignore[arg-type]
            title="Asterisk demo",
            unique_id=unique_id,
            version=1,
        )
        entries.append(entry_obj.as_dict())
        result = "demo entry added (2 accounts, 4 desks)"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".hotdesk-tmp")
    tmp.write_text(json.dumps(stored, indent=2))
    tmp.replace(path)
    return result


def _add_demo_readers(entry: dict[str, Any]) -> bool:
    """Give an older demo entry's desks their card readers (scans need them)."""
    added = False
    by_id = {desk_id: name for name, desk_id in DESK_IDS.items()}
    for sub in entry.get("subentries", []):
        name = by_id.get(sub.get("subentry_id"))
        if name is not None and reader_of(name) not in sub["data"].get("readers", []):
            sub["data"]["readers"] = [reader_of(name)]
            added = True
    return added


def skip_core_config_step(config_dir: Path) -> bool:
    """Mark onboarding's location/analytics steps done in a fresh config.

    configuration.yaml sets name, time zone, units, country and language;
    the onboarding step that asks for them would also add integrations
    (met, radio_browser, google_translate, ...) whose libraries the
    development venv lacks. Only the user step stays: the demo user.
    """
    path = config_dir / ".storage" / "onboarding"
    if path.exists():
        return False
    from homeassistant.components import onboarding  # noqa: PLC0415
    from homeassistant.components.onboarding import const  # noqa: PLC0415

    done = [step for step in const.STEPS if step != const.STEP_USER]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": onboarding.STORAGE_VERSION,
                "minor_version": 1,
                "key": onboarding.STORAGE_KEY,
                "data": {"done": done},
            },
            indent=2,
        )
    )
    return True


def cmd_setup(args: argparse.Namespace) -> None:
    run = run_dir()
    state = read_state(run)
    ami = {
        "host": "127.0.0.1",
        "port": int(state["AMI_PORT"]),
        "username": "hotdesk",
        "secret": state["AMI_SECRET"],
    }
    config_dir = Path(args.config_dir).resolve()
    demo = {
        "ami": ami,
        "sip_port": int(state["SIP_PORT"]),
        "ha_url": ha_url(config_dir),
        "config_dir": str(config_dir),
    }
    (run / "demo.json").write_text(json.dumps(demo, indent=2))
    print(f"demo: {write_entry(config_dir, ami)}", file=sys.stderr)
    if skip_core_config_step(config_dir):
        print(
            "demo: fresh config: onboarding will only create the demo user",
            file=sys.stderr,
        )


# ------------------------------------------------------------------ phones


def cmd_phones(args: argparse.Namespace) -> None:
    """Run the four SIPp desk phones until SIGTERM/SIGINT."""
    from tests.e2e.sip_phone import SipPhone  # noqa: PLC0415

    demo = load_demo()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    phones = []
    try:
        for name, (mode, after) in DESKS.items():
            phone = SipPhone(
                name,
                demo["sip_port"],
                mode=mode,
                answer_after_ms=after or 1000,
                work_dir=run_dir() / "phones" / name,
            )
            phones.append(phone.start())
        pids = [str(p.pid) for p in phones if p.pid is not None]
        (run_dir() / "phones" / "pids").write_text("\n".join(pids) + "\n")
        print(
            "demo: desk phones registered: desk1, desk2 ring; desk3, desk4 answer "
            "after 3 s",
            file=sys.stderr,
            flush=True,
        )
        # Registrations last an hour: renew them while the demo runs.
        while not stop.wait(1800):
            for phone in phones:
                phone.register()
    finally:
        for phone in phones:
            phone.stop()


def cmd_cleanup(args: argparse.Namespace) -> None:
    """Stop SIPp phones a killed demo left running (listed by ``phones``)."""
    listed = run_dir() / "phones" / "pids"
    if not listed.exists():
        return
    for pid in {int(p) for p in listed.read_text().split() if p.isdigit()}:
        proc = Path(f"/proc/{pid}")
        try:
            ours = (proc / "comm").read_text().strip() == "sipp" and (
                run_dir() / "phones"
            ) in (proc / "cwd").readlink().parents
        except OSError:
            continue
        if ours:
            os.kill(pid, signal.SIGTERM)
            for _ in range(30):
                if not proc.exists():
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
    listed.unlink()


# ------------------------------------------------------------------ Home Assistant


def http(
    url: str,
    data: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    form: bool = False,
    timeout: float = 30,
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def wait_for_ha(base: str, timeout: float, pid: int | None = None) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http(f"{base}/api/onboarding", timeout=5)  # type: ignore[no-any-return]
        except (urllib.error.URLError, OSError):
            if pid is not None and not Path(f"/proc/{pid}").exists():
                raise SystemExit("demo: Home Assistant exited") from None
            if time.monotonic() > deadline:
                raise SystemExit(f"demo: no Home Assistant at {base}") from None
            time.sleep(1)


def onboard(base: str, steps: list[dict[str, Any]]) -> str:
    """Create the demo user and finish onboarding; an access token."""
    client_id = f"{base}/"
    code = http(
        f"{base}/api/onboarding/users",
        {
            "client_id": client_id,
            "name": "Demo",
            "username": DEMO_USER,
            "password": DEMO_PASSWORD,
            "language": "en",
        },
    )["auth_code"]
    token = token_for(base, code)
    done = {s["step"] for s in steps if s["done"]}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        (
            "integration",
            {"client_id": client_id, "redirect_uri": f"{base}/?auth_callback=1"},
        ),
    ):
        if step not in done:
            http(f"{base}/api/onboarding/{step}", body, token)
    return token


def token_for(base: str, code: str) -> str:
    return http(  # type: ignore[no-any-return]
        f"{base}/auth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": f"{base}/"},
        form=True,
    )["access_token"]


def login(base: str) -> str:
    """An access token: HOTDESK_HA_TOKEN, or a login as the demo user."""
    if token := os.environ.get("HOTDESK_HA_TOKEN"):
        return token
    client_id = f"{base}/"
    flow = http(
        f"{base}/auth/login_flow",
        {
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{base}/?auth_callback=1",
        },
    )
    result = http(
        f"{base}/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id, "username": DEMO_USER, "password": DEMO_PASSWORD},
    )
    if result.get("type") != "create_entry":
        raise SystemExit(
            f"demo: cannot log in to Home Assistant as {DEMO_USER!r}; set "
            "HOTDESK_HA_TOKEN to a long-lived access token (your profile page), "
            "or HOTDESK_DEMO_USER/HOTDESK_DEMO_PASSWORD"
        )
    return token_for(base, result["result"])


# Entry states the welcome stops waiting at. Not ``not_loaded`` while HA
# starts: HA serves HTTP (and onboarding) from stage 0 of its start but sets
# up custom integrations in stage 2, so on a busy machine the demo user is
# onboarded while the entry is still ``not_loaded``. Nor ``setup_in_progress``
# or ``setup_retry`` (the PBX may answer the next try).
SETTLED = {"loaded", "setup_error", "migration_error", "failed_unload"}
# HA's core state while it starts (/api/config), as the wait reports it.
CORE_PHASES = {
    "NOT_RUNNING": "is setting up its integrations",
    "STARTING": "is starting",
}


def wait_for_entry(base: str, token: str, timeout: float) -> str:
    """The hotdesk_phone entries' states once settled (or at ``timeout``).

    Once HA runs, a ``not_loaded`` entry (a disabled one) or none at all
    stays so. Says on stderr what it waits for whenever that changes: the
    entries' states, and while HA starts whether it has set up hotdesk_phone.
    """
    started = time.monotonic()
    waiting_for = ""
    while True:
        entries = http(
            f"{base}/api/config/config_entries/entry?domain={DOMAIN}", None, token
        )
        state = (
            ", ".join(
                e["state"] + (f" ({e['reason']})" if e.get("reason") else "")
                for e in entries
            )
            or "no entry"
        )
        if entries and all(e["state"] in SETTLED for e in entries):
            return state
        core = http(f"{base}/api/config", None, token)
        core_state = core.get("state")
        if core_state == "RUNNING" and all(
            e["state"] in {*SETTLED, "not_loaded"} for e in entries
        ):
            return state
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            print(
                f"demo: gave up waiting for the entry after {timeout:.0f} s: {state}",
                file=sys.stderr,
                flush=True,
            )
            return state
        now = f"entry {state}"
        if core_state != "RUNNING":
            phase = CORE_PHASES.get(core_state, f"is {core_state}")
            set_up = DOMAIN in core.get("components", [])
            now += (
                f"; Home Assistant {phase}, "
                f"{DOMAIN} {'set up' if set_up else 'not set up yet'}"
            )
        if now != waiting_for:
            waiting_for = now
            print(
                f"demo: waiting ({elapsed:.1f} s): {now}", file=sys.stderr, flush=True
            )
        time.sleep(0.5)


def cmd_welcome(args: argparse.Namespace) -> None:
    """Wait for HA, onboard the demo user if nobody did, print what to try."""
    demo = load_demo()
    base = demo["ha_url"]
    steps = wait_for_ha(base, args.timeout, args.pid)
    user_done = any(s["step"] == "user" and s["done"] for s in steps)
    if not user_done:
        token = onboard(base, steps)
        account = f"log in as {DEMO_USER} / {DEMO_PASSWORD}"
    else:
        account = "log in with your account"
        try:
            token = login(base)
        except (SystemExit, urllib.error.URLError):
            token = ""
    state = wait_for_entry(base, token, 60) if token else "?"
    print(
        f"""
===================================================================
 Hot-desk demo ready: {base}  ({account})
 Asterisk 22: AMI 127.0.0.1:{demo["ami"]["port"]}, SIP 127.0.0.1:{demo["sip_port"]}
 Integration entry: {state}
 Phones: desk1, desk2 ring; desk3, desk4 answer after 3 s
 Alice = 101 (desks 1+2, tag-alice)   Carol = 102 (desk 4, tag-carol)

 Try, in another terminal:
   scripts/demo call 101                 # rings Desk 1 and Desk 2
   scripts/demo scan tag-alice desk3     # moves the call to Desk 3 (answers)
   scripts/demo scan tag-carol desk2     # no call ringing: Carol logs in at Desk 2
   scripts/demo status                   # the integration's entities
   scripts/demo db                       # the routing Asterisk holds (AstDB)
 Ctrl-C here stops everything.
===================================================================""",
        file=sys.stderr,
        flush=True,
    )


def cmd_scan(args: argparse.Namespace) -> None:
    demo = load_demo()
    base = demo["ha_url"]
    desk = desk_name(args.desk)
    token = login(base)
    # What a desk computer's reader bridge posts for each card read.
    http(
        f"{base}/api/hotdesk_phone/scan",
        {"reader": reader_of(desk), "uid": args.tag},
        token,
    )
    print(f"scanned {args.tag} at {desk} (reader {reader_of(desk)})")
    time.sleep(0.5)
    print_status(base, token)


def print_status(base: str, token: str) -> None:
    states = http(f"{base}/api/states", None, token)
    wanted = re.compile(
        r"^(sensor|binary_sensor|event)\.(alice|carol|desk_\d|asterisk)"
    )
    ours = [s for s in states if wanted.match(s["entity_id"])]
    for item in sorted(ours, key=lambda s: s["attributes"].get("friendly_name", "")):
        attrs = item["attributes"]
        extra = ""
        if attrs.get("ringing_desks"):
            extra = f"  ringing at {', '.join(attrs['ringing_desks'])}"
        elif attrs.get("claimed_desk") or attrs.get("answered_desk"):
            extra = f"  at {attrs.get('answered_desk') or attrs.get('claimed_desk')}"
        # An account's call state names its caller (the Caller sensor is off
        # by default).
        caller_name = attrs.get("caller_id_name")
        caller_number = attrs.get("caller_id_number")
        if caller_name and caller_number:
            extra += f"  from {caller_name} <{caller_number}>"
        elif caller_name or caller_number:
            extra += f"  from {caller_name or caller_number}"
        name = attrs.get("friendly_name", item["entity_id"])
        print(f"  {name:<32} {item['state']}{extra}")


def cmd_status(args: argparse.Namespace) -> None:
    base = load_demo()["ha_url"]
    print_status(base, login(base))


# ------------------------------------------------------------------ PBX


def cmd_call(args: argparse.Namespace) -> None:
    from custom_components.hotdesk_phone.ami import AmiClient  # noqa: PLC0415

    demo = load_demo()
    name, number = args.caller

    async def originate() -> None:
        client = AmiClient(
            host=demo["ami"]["host"],
            port=demo["ami"]["port"],
            username=demo["ami"]["username"],
            secret=demo["ami"]["secret"],
        )
        await client.connect()
        try:
            # The far end (a Local channel in the demo-caller context)
            # answers at once and hangs up after --hold seconds.
            await client.originate(
                f"Local/{args.hold}@demo-caller",
                "hotdesk-inbound",
                args.extension,
                caller_id=f'"{name}" <{number}>',
            )
        finally:
            await client.close()

    asyncio.run(originate())
    print(
        f"calling {args.extension} from {name} <{number}> "
        f"(the caller hangs up after {args.hold} s)"
    )


def cmd_db(args: argparse.Namespace) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "asterisk"), "cli", str(run_dir()),
         "database show hotdesk"],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Drive the hot-desk demo that scripts/develop started.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser(
        "call", help="an outside call to an extension (AMI Originate)"
    )
    call.add_argument("extension")
    call.add_argument(
        "--from",
        dest="caller",
        nargs=2,
        metavar=("NAME", "NUMBER"),
        default=("Bob Caller", "5550100"),
        help="caller ID (default: 'Bob Caller' 5550100)",
    )
    call.add_argument(
        "--hold", type=int, default=45, help="seconds until the caller hangs up (45)"
    )
    call.set_defaults(func=cmd_call)
    scan = sub.add_parser("scan", help="a tag scanned at a desk's reader")
    scan.add_argument("tag", help="tag id, e.g. tag-alice")
    scan.add_argument("desk", help="desk1..desk4 (or 1..4)")
    scan.set_defaults(func=cmd_scan)
    sub.add_parser("status", help="the integration's entities").set_defaults(
        func=cmd_status
    )
    sub.add_parser("db", help="the AstDB tree in Asterisk").set_defaults(func=cmd_db)
    # Used by scripts/develop.
    setup = sub.add_parser("setup", help=argparse.SUPPRESS)
    setup.add_argument("config_dir")
    setup.set_defaults(func=cmd_setup)
    sub.add_parser("phones", help=argparse.SUPPRESS).set_defaults(func=cmd_phones)
    sub.add_parser("cleanup", help=argparse.SUPPRESS).set_defaults(func=cmd_cleanup)
    welcome = sub.add_parser("welcome", help=argparse.SUPPRESS)
    welcome.add_argument("--timeout", type=float, default=900)
    welcome.add_argument("--pid", type=int)
    welcome.set_defaults(func=cmd_welcome)
    args = parser.parse_args()
    try:
        args.func(args)
    except urllib.error.HTTPError as err:
        raise SystemExit(
            f"demo: Home Assistant answered {err.code} {err.reason}"
        ) from None
    except urllib.error.URLError as err:
        raise SystemExit(
            f"demo: Home Assistant is not reachable: {err.reason}"
        ) from None


if __name__ == "__main__":
    main()
