"""Record the AMI sessions the tests and benchmarks replay, from a real Asterisk.

Run through ``scripts/record-fixtures`` (it makes sure Asterisk and SIPp are
there). This program starts its own Asterisk with ``scripts/asterisk`` (the
e2e tier's configuration and the shipped dialplan) on free loopback ports,
registers four SIPp desk phones (desk1..desk3 ring and never answer, desk4
answers after one second), then plays each scenario over a plain AMI
connection and writes every byte it read, unchanged (CRLF line ends), to
``tests/fixtures/ami/<name>.ami``.

For the recording, the AMI user reads every event class and its event
filter lines are dropped (``manager reload``), so the files hold the whole
stream a busy PBX sends, not only what the integration asks for.

Standard library only (plus tests/e2e/sip_phone.py, itself standard library).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
import contextlib
import os
from pathlib import Path
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.sip_phone import SipPhone  # noqa: E402

ASTERISK = REPO / "scripts" / "asterisk"
DEFAULT_OUT = REPO / "tests" / "fixtures" / "ami"
LOOPBACK = "127.0.0.1"
USERNAME = "hotdesk"
SECRET = "hotdesk-record"  # noqa: S105  a throw-away PBX on loopback
EOL = b"\r\n"
GREETING_PREFIX = b"Asterisk Call Manager/"
WAIT = 10.0  # seconds any one expected reply or event may take
QUIET = 0.5  # seconds without a byte that end a session's recording
CLAIM_DESK_ID = "D4"  # the desk id the claim scenario redirects to
HOME_DESKS = ("desk1", "desk2")  # where extension 101 rings

type Message = dict[str, str]


class RecordError(RuntimeError):
    """A scenario did not go the way a real PBX should make it go."""


# ---------------------------------------------------------------- AMI session


class AmiSession:
    """One AMI connection that keeps every byte it reads, in order."""

    def __init__(self, port: int) -> None:
        """Connect; a thread reads until the PBX closes the connection."""
        self.sock = socket.create_connection((LOOPBACK, port), timeout=WAIT)
        self.sock.settimeout(None)
        self.raw = bytearray()
        self.messages: list[Message] = []
        self.closed = False
        self.last_read = time.monotonic()
        self._parsed_to = 0
        self._greeted = False
        self._prefix = f"action/{uuid.uuid4()}/1/"
        self._next_id = 1
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self.raw += chunk
                self.last_read = time.monotonic()
                self._parse()
                self._cond.notify_all()

    def _parse(self) -> None:
        if not self._greeted:
            end = self.raw.find(EOL)
            if end < 0:
                return
            if not self.raw.startswith(GREETING_PREFIX):
                raise RecordError(f"not an AMI greeting: {bytes(self.raw[:80])!r}")
            self._greeted = True
            self._parsed_to = end + len(EOL)
        while (end := self.raw.find(EOL + EOL, self._parsed_to)) >= 0:
            block = self.raw[self._parsed_to : end].decode("utf-8", "replace")
            self._parsed_to = end + 2 * len(EOL)
            message: Message = {}
            for line in block.split("\r\n"):
                key, sep, value = line.partition(": ")
                if sep and key not in message:
                    message[key] = value
            self.messages.append(message)

    def send(self, action: str, **headers: str) -> str:
        """Send one action; its ActionID (shaped like panoramisk's)."""
        action_id = f"{self._prefix}{self._next_id}"
        self._next_id += 1
        lines = [f"Action: {action}", f"ActionID: {action_id}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return action_id

    def wait_for(
        self, predicate: Callable[[Message], bool], what: str, start: int = 0
    ) -> Message:
        """The first message from index ``start`` on that matches."""
        deadline = time.monotonic() + WAIT
        with self._cond:
            while True:
                for message in self.messages[start:]:
                    if predicate(message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise RecordError(f"no {what} within {WAIT} s")
                self._cond.wait(left)

    def reply(self, action_id: str, *, final: str | None = None) -> Message:
        """The response to an action, or (``final``) the event ending its list."""
        if final is None:
            return self.wait_for(
                lambda m: m.get("ActionID") == action_id and "Response" in m,
                f"response to {action_id}",
            )
        return self.wait_for(
            lambda m: m.get("ActionID") == action_id and m.get("Event") == final,
            f"{final} for {action_id}",
        )

    def action(self, action: str, **headers: str) -> Message:
        """Send an action and wait for its response."""
        return self.reply(self.send(action, **headers))

    def event(self, name: str, what: str = "", **match: str) -> Message:
        """Wait for an event whose headers start with the given values."""

        def matches(message: Message) -> bool:
            return message.get("Event") == name and all(
                message.get(key, "").startswith(value) for key, value in match.items()
            )

        return self.wait_for(matches, what or f"{name} {match}")

    def count(self, name: str, **match: str) -> int:
        """How many such events arrived so far."""
        with self._cond:
            return sum(
                1
                for m in self.messages
                if m.get("Event") == name
                and all(m.get(k, "").startswith(v) for k, v in match.items())
            )

    def login(self, secret: str = SECRET) -> Message:
        """Log in (plain Login, every event class the user may read)."""
        return self.action("Login", Username=USERNAME, Secret=secret)

    def settle_and_close(self) -> bytes:
        """Wait until the PBX has been quiet for a moment; the bytes read."""
        while True:
            with self._cond:
                idle = time.monotonic() - self.last_read
                if self.closed or idle >= QUIET:
                    break
            time.sleep(QUIET - idle if idle < QUIET else 0)
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(WAIT)
        with self._cond:
            return bytes(self.raw)

    def wait_closed(self) -> bytes:
        """Wait until the PBX closes the connection; the bytes read."""
        deadline = time.monotonic() + WAIT
        with self._cond:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RecordError("the PBX did not close the connection")
                self._cond.wait(left)
            return bytes(self.raw)


def expect_success(message: Message, what: str) -> Message:
    """A response that must be a success."""
    if message.get("Response") != "Success":
        raise RecordError(f"{what} failed: {message}")
    return message


# ---------------------------------------------------------------- the PBX


def free_port(kind: int) -> int:
    """A loopback port the kernel says is free now (TCP or UDP)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class Pbx:
    """One run of scripts/asterisk in a temporary folder."""

    def __init__(self, run_dir: Path) -> None:
        """Nothing runs yet."""
        self.run_dir = run_dir
        self.ami_port = 0
        self.sip_port = 0
        self.sessions: list[AmiSession] = []  # the last one is kept on failure

    def connect(self) -> AmiSession:
        """A new AMI connection (not logged in yet)."""
        ami = AmiSession(self.ami_port)
        self.sessions.append(ami)
        return ami

    def _script(self, *args: str, timeout: float = 120) -> str:
        env = {
            **os.environ,
            "AMI_PORT": str(self.ami_port),
            "SIP_PORT": str(self.sip_port),
            "AMI_SECRET": SECRET,
        }
        result = subprocess.run(
            [str(ASTERISK), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RecordError(
                f"scripts/asterisk {args[0]} failed ({result.returncode}):\n"
                f"{result.stderr[-2000:]}"
            )
        return result.stdout

    def start(self) -> None:
        """Start Asterisk on free ports (a few tries: ports can be taken)."""
        error: RecordError | None = None
        for _ in range(3):
            self.ami_port = free_port(socket.SOCK_STREAM)
            self.sip_port = free_port(socket.SOCK_DGRAM)
            try:
                self._script("start", str(self.run_dir))
            except RecordError as err:
                error = err
                self.stop()
            else:
                return
        raise RecordError(f"Asterisk did not start: {error}")

    def stop(self) -> None:
        """Stop Asterisk (safe to call twice)."""
        with contextlib.suppress(RecordError, subprocess.TimeoutExpired):
            self._script("stop", str(self.run_dir))

    def cli(self, command: str) -> str:
        """An Asterisk CLI command's output."""
        return self._script("cli", str(self.run_dir), command, timeout=30)

    def hear_everything(self) -> None:
        """Let the AMI user read every event class, without event filters."""
        conf = self.run_dir / "etc" / "manager.conf"
        lines = [
            "read = all" if line.strip().startswith("read =") else line
            for line in conf.read_text(encoding="utf-8").splitlines()
            if not line.startswith("eventfilter")
        ]
        conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.cli("manager reload")

    def wait_idle(self) -> None:
        """Wait until no channel is left from the last scenario."""
        deadline = time.monotonic() + WAIT
        while True:
            match = re.search(r"(\d+) active channels?", self.cli("core show channels"))
            if match is not None and match.group(1) == "0":
                return
            if time.monotonic() > deadline:
                raise RecordError("channels are left over from the last scenario")
            time.sleep(0.1)


# ---------------------------------------------------------------- scenarios


def originate(ami: AmiSession, extension: str, caller_id: str) -> float:
    """An outside call into hotdesk-inbound (a Local channel); when it was sent."""
    sent = time.monotonic()
    expect_success(
        ami.action(
            "Originate",
            Channel="Local/s@test-caller",
            Context="hotdesk-inbound",
            Exten=extension,
            Priority="1",
            CallerID=caller_id,
            Async="true",
        ),
        "Originate",
    )
    return sent


def ringing_caller(ami: AmiSession, desks: tuple[str, ...]) -> str:
    """Wait until every desk rings; the caller's channel (the one to Redirect)."""
    caller = ""
    for desk in desks:
        dial = ami.event("DialBegin", DestChannel=f"PJSIP/{desk}-")
        caller = dial["Channel"]
        ami.event("Newstate", Channel=dial["DestChannel"], ChannelStateDesc="Ringing")
    return caller


def sleep_until(moment: float) -> None:
    """Sleep until a time on the monotonic clock."""
    time.sleep(max(0.0, moment - time.monotonic()))


def hang_up_caller(ami: AmiSession, caller: str) -> None:
    """Hang up the caller and wait until both halves of its channel are gone."""
    expect_success(ami.action("Hangup", Channel=caller), "Hangup")
    base = caller.rsplit(";", 1)[0]
    ami.event("Hangup", Channel=f"{base};1")
    ami.event("Hangup", Channel=f"{base};2")


def session(pbx: Pbx) -> AmiSession:
    """A logged-in session that has seen FullyBooted."""
    ami = pbx.connect()
    expect_success(ami.login(), "Login")
    ami.event("FullyBooted")
    return ami


def call_missed(pbx: Pbx) -> bytes:
    """101 rings desk1 and desk2; the caller gives up after 2 s."""
    ami = session(pbx)
    expect_success(
        ami.action(
            "DBPut", Family="hotdesk/route", Key="101", Val="PJSIP/desk1&PJSIP/desk2"
        ),
        "DBPut",
    )
    sent = originate(ami, "101", '"Bob Caller" <5550100>')
    caller = ringing_caller(ami, HOME_DESKS)
    sleep_until(sent + 2.0)
    hang_up_caller(ami, caller)
    if ami.count("DialEnd", DialStatus="CANCEL") != len(HOME_DESKS):
        raise RecordError("call_missed: both desks should end with CANCEL")
    return ami.settle_and_close()


def call_claimed_answered(pbx: Pbx) -> bytes:
    """101 rings desk1 and desk2; after 1.5 s it moves to desk4, which answers."""
    ami = session(pbx)
    expect_success(
        ami.action(
            "DBPut", Family="hotdesk/route", Key="101", Val="PJSIP/desk1&PJSIP/desk2"
        ),
        "DBPut",
    )
    expect_success(
        ami.action(
            "DBPut", Family="hotdesk/desk", Key=CLAIM_DESK_ID, Val="PJSIP/desk4"
        ),
        "DBPut",
    )
    sent = originate(ami, "101", '"Bob Caller" <5550100>')
    caller = ringing_caller(ami, HOME_DESKS)
    sleep_until(sent + 1.5)
    expect_success(
        ami.action(
            "Redirect",
            Channel=caller,
            Context="hotdesk-claim",
            Exten=CLAIM_DESK_ID,
            Priority="1",
        ),
        "Redirect",
    )
    moved = time.monotonic()
    ami.event("DialEnd", DestChannel="PJSIP/desk4-", DialStatus="ANSWER")
    ami.event("BridgeEnter", Channel=caller)
    sleep_until(moved + 3.0)
    hang_up_caller(ami, caller)
    return ami.settle_and_close()


def call_answered_directly(pbx: Pbx) -> bytes:
    """102 rings desk1 and desk4; desk4 answers after 1 s, desk1 is cancelled."""
    ami = session(pbx)
    expect_success(
        ami.action(
            "DBPut", Family="hotdesk/route", Key="102", Val="PJSIP/desk1&PJSIP/desk4"
        ),
        "DBPut",
    )
    originate(ami, "102", '"Carol" <5550200>')
    caller = ringing_caller(ami, ("desk1", "desk4"))
    ami.event("DialEnd", DestChannel="PJSIP/desk4-", DialStatus="ANSWER")
    ami.event("DialEnd", DestChannel="PJSIP/desk1-", DialStatus="CANCEL")
    ami.event("BridgeEnter", Channel=caller)
    time.sleep(1.0)
    hang_up_caller(ami, caller)
    return ami.settle_and_close()


def queries(pbx: Pbx) -> bytes:
    """The read and write actions the integration sends, and their failures."""
    ami = session(pbx)
    found = ami.send("DBGet", Family="hotdesk/route", Key="101")
    ami.reply(found, final="DBGetComplete")
    missing = ami.action("DBGet", Family="hotdesk/route", Key="999")
    if missing.get("Response") != "Error":
        raise RecordError(f"DBGet of a missing key: {missing}")
    ami.action("DBDelTree", Family="hotdesk/nothing-here")
    ami.reply(ami.send("PJSIPShowEndpoints"), final="EndpointListComplete")
    ami.reply(ami.send("DeviceStateList"), final="DeviceStateListComplete")
    ami.reply(ami.send("CoreShowChannels"), final="CoreShowChannelsComplete")
    gone = ami.action(
        "Redirect",
        Channel="PJSIP/nope-00000099",
        Context="hotdesk-claim",
        Exten=CLAIM_DESK_ID,
        Priority="1",
    )
    if gone.get("Response") != "Error":
        raise RecordError(f"Redirect of a missing channel: {gone}")
    expect_success(ami.action("CoreSettings"), "CoreSettings")
    return ami.settle_and_close()


def login_failed(pbx: Pbx) -> bytes:
    """A wrong secret: the error, then Asterisk closes the connection."""
    ami = pbx.connect()
    reply = ami.login(secret="not-the-secret")  # noqa: S106
    if reply.get("Response") != "Error":
        raise RecordError(f"a wrong secret was accepted: {reply}")
    return ami.wait_closed()


SCENARIOS: dict[str, Callable[[Pbx], bytes]] = {
    "call_missed": call_missed,
    "call_claimed_answered": call_claimed_answered,
    "call_answered_directly": call_answered_directly,
    "queries": queries,
    "login_failed": login_failed,
}


# ---------------------------------------------------------------- main


@contextlib.contextmanager
def office(pbx: Pbx, work: Path) -> Iterator[dict[str, SipPhone]]:
    """Asterisk plus desk phones; everything stopped again at the end."""
    phones: dict[str, SipPhone] = {}
    pbx.start()
    try:
        pbx.hear_everything()
        for name in ("desk1", "desk2", "desk3"):
            phones[name] = SipPhone(
                name, pbx.sip_port, mode="ring", work_dir=work / name
            ).start()
        phones["desk4"] = SipPhone(
            "desk4",
            pbx.sip_port,
            mode="answer",
            answer_after_ms=1000,
            work_dir=work / "desk4",
        ).start()
        yield phones
    finally:
        for phone in phones.values():
            phone.stop()
        pbx.stop()


def record(out: Path, keep: bool) -> None:
    """Record every scenario into ``out`` (written only when all worked)."""
    work = Path(tempfile.mkdtemp(prefix="hotdesk-record-"))
    run_dir = work / "asterisk"
    run_dir.mkdir()
    # Asterisk's own user must reach its run folder (mkdtemp makes 0700).
    for folder in (work, run_dir):
        folder.chmod(0o755)
    pbx = Pbx(run_dir)
    recorded: dict[str, bytes] = {}
    try:
        with office(pbx, work):
            for name, scenario in SCENARIOS.items():
                started = time.monotonic()
                try:
                    recorded[name] = scenario(pbx)
                except RecordError:
                    if pbx.sessions:
                        failed = work / f"failed-{name}.ami"
                        failed.write_bytes(bytes(pbx.sessions[-1].raw))
                        print(f"what the failed session read: {failed}")
                    keep = True
                    raise
                pbx.wait_idle()
                print(
                    f"recorded {name}.ami: {len(recorded[name])} bytes, "
                    f"{recorded[name].count(b'Event: ')} events, "
                    f"{time.monotonic() - started:.1f} s"
                )
            version = pbx.cli("core show version").strip()
    finally:
        if keep:
            print(f"kept the run folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in recorded.items():
        (out / f"{name}.ami").write_bytes(data)
    print(f"wrote {len(recorded)} files to {out} ({version})")


def main() -> int:
    """Parse arguments and record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for the .ami files"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the Asterisk run folder and traces"
    )
    args = parser.parse_args()
    try:
        record(args.out, args.keep)
    except RecordError as err:
        print(f"record-fixtures: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
