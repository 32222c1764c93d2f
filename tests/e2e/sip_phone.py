"""SIP desk phones for the end-to-end tests: SIPp processes on loopback.

Standard library only. Needs ``sipp`` (Debian's ``sip-tester``) on PATH;
``scripts/asterisk ensure`` installs it when run as root.

A ``SipPhone`` is one desk phone: a SIPp process that listens on its own
127.0.0.1 port and answers every INVITE the way its mode says, registered to
its PJSIP AOR (``desk1``..``desk4`` in tests/e2e/asterisk_conf/pjsip.conf)::

    with SipPhone("desk1", sip_port=15060, mode="ring") as phone:
        ...                                   # place a call to the desk
        invite = phone.wait_for("INVITE")     # a SipMessage
        invite.caller_id_number               # '5550100'
        phone.wait_for("CANCEL")

Modes: ``ring`` (180, then 200 + 487 on CANCEL), ``answer`` (180, then 200
after ``answer_after_ms`` unless cancelled first, then waits for the BYE),
``reject`` (486 Busy Here).

A ``SipCall`` is one call placed from an endpoint (``desk3``, ``caller``)
into Asterisk; ``place_call()`` starts one.

What a phone got is read from SIPp's message trace (``-trace_msg``), which
SIPp writes as it goes.
"""

from __future__ import annotations

import atexit
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from types import TracebackType
from typing import Self

SIPP_DIR = Path(__file__).parent / "sipp"
MODES = ("ring", "answer", "reject")
LOOPBACK = "127.0.0.1"

# One message in SIPp's -trace_msg file:
# ----------------------------------------------- 2026-11-23 20:20:25.112493
# UDP message sent (359 bytes):            | UDP message received [396] bytes :
# (SIPp 3.6 writes local time as above; 3.8 writes UTC: 2026-11-23T20:27:24.040366Z)
# <blank line>
# <the SIP message>
_ENTRY = re.compile(
    r"^-{20,} (?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?)\n"
    r"(?P<what>[^\n]*)\n\n",
    re.MULTILINE,
)
_URI_USER = re.compile(r"<?sips?:(?P<user>[^@;>]*)@")
_DISPLAY = re.compile(r'^\s*"(?P<quoted>(?:[^"\\]|\\.)*)"|^\s*(?P<bare>[^<"]+?)\s*<')


class SipPhoneError(RuntimeError):
    """SIPp failed to start, to register, or is missing."""


@dataclass(frozen=True)
class SipMessage:
    """One SIP message a SIPp process sent or received."""

    direction: str  # "received" or "sent"
    time: float  # epoch seconds, from the trace's local time stamp
    start_line: str
    headers: dict[str, list[str]] = field(repr=False)  # lower-case names
    body: str = field(repr=False, default="")

    @property
    def method(self) -> str | None:
        """The request method (INVITE, CANCEL, BYE, ...); None for a response."""
        first = self.start_line.split(" ", 1)[0]
        return None if first.startswith("SIP/") else first

    @property
    def status(self) -> int | None:
        """The response code; None for a request."""
        parts = self.start_line.split(" ", 2)
        if parts[0].startswith("SIP/") and len(parts) > 1 and parts[1].isdigit():
            return int(parts[1])
        return None

    def header(self, name: str) -> str | None:
        """The first value of a header (compact forms are not expanded)."""
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def call_id(self) -> str | None:
        return self.header("Call-ID")

    @property
    def cseq_method(self) -> str | None:
        cseq = self.header("CSeq")
        return cseq.split()[-1] if cseq else None

    @property
    def from_user(self) -> str | None:
        """User part of the From URI (Asterisk puts the caller ID number there)."""
        return _user(self.header("From"))

    @property
    def from_display(self) -> str | None:
        return _display(self.header("From"))

    @property
    def pai_user(self) -> str | None:
        """User part of P-Asserted-Identity, if present."""
        return _user(self.header("P-Asserted-Identity"))

    @property
    def pai_display(self) -> str | None:
        return _display(self.header("P-Asserted-Identity"))

    @property
    def caller_id_number(self) -> str | None:
        """P-Asserted-Identity's number if present, else From's."""
        return self.pai_user or self.from_user

    @property
    def caller_id_name(self) -> str | None:
        return self.pai_display or self.from_display


def _user(value: str | None) -> str | None:
    if not value:
        return None
    match = _URI_USER.search(value)
    return match.group("user") if match else None


def _display(value: str | None) -> str | None:
    if not value:
        return None
    match = _DISPLAY.search(value)
    if not match:
        return None
    if match.group("quoted") is not None:
        return re.sub(r"\\(.)", r"\1", match.group("quoted"))
    return match.group("bare")


def _epoch(stamp: str) -> float:
    """Epoch seconds of a trace time stamp (local time, or UTC if it ends in Z)."""
    utc = stamp.endswith("Z")
    parsed = datetime.fromisoformat(stamp.rstrip("Z").replace(" ", "T"))
    if utc:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_trace(path: str | os.PathLike[str]) -> list[SipMessage]:
    """Parse a SIPp -trace_msg file (missing file: no messages)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    text = text.replace("\r\n", "\n")
    entries = list(_ENTRY.finditer(text))
    messages = []
    for index, entry in enumerate(entries):
        end = entries[index + 1].start() if index + 1 < len(entries) else len(text)
        raw = text[entry.end() : end].strip("\n")
        what = entry.group("what")
        if " received" in what:
            direction = "received"
        elif " sent" in what:
            direction = "sent"
        else:
            continue
        head, _, body = raw.partition("\n\n")
        lines = head.split("\n")
        if not lines or not lines[0].strip():
            continue
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        messages.append(
            SipMessage(
                direction, _epoch(entry.group("ts")), lines[0].strip(), headers, body
            )
        )
    return messages


# SIPp's exit code when it cannot bind one of its sockets, and how often a
# REGISTER run is tried with newly picked ports.
SIPP_EXIT_BIND_ERROR = 254
BIND_ATTEMPTS = 3


# Ports handed out in this process. A phone's SIP port is chosen when the
# phone is made and bound only when it starts; in between, the kernel may pick
# the same free port for another phone's media or control socket, and one
# SIPp then fails to bind (seen in the load benchmark: errno 98).
_HANDED_OUT: set[int] = set()


def free_udp_port(host: str = LOOPBACK) -> int:
    """A UDP port free right now on host (the kernel's choice), handed out once."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def free_media_port(host: str = LOOPBACK) -> int:
    """A base port for SIPp's media (-mp): SIPp binds it and base + 2 (video).

    The kernel's choice for one port says nothing of base + 2, so a port is
    taken only when every one of base .. base + 3 can be bound right now.
    """
    for _ in range(50):
        base = free_udp_port(host)
        sockets: list[socket.socket] = []
        if _HANDED_OUT.intersection(range(base + 1, base + 4)):
            continue
        try:
            for port in range(base, base + 4):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.bind((host, port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        _HANDED_OUT.update(range(base, base + 4))
        return base
    msg = "no four free UDP ports in a row for SIPp's media"
    raise SipPhoneError(msg)


def _udp_bound(port: int) -> bool:
    """Whether a UDP socket is bound to port (Linux /proc)."""
    suffix = f":{port:04X}"
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with Path(table).open(encoding="ascii") as handle:
                next(handle, None)
                for line in handle:
                    if line.split()[1].endswith(suffix):
                        return True
        except OSError:
            continue
    return False


def find_sipp() -> str:
    """The sipp executable, or SipPhoneError."""
    sipp = shutil.which("sipp")
    if sipp is None:
        raise SipPhoneError("sipp not found: apt-get install sip-tester")
    return sipp


# SIPp processes still running: stopped when the interpreter exits, so a
# failed test run leaves no phone behind.
_LIVE: set[subprocess.Popen[bytes]] = set()


def _spawn(args: list[str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )
    _LIVE.add(process)
    return process


@atexit.register
def _stop_all() -> None:
    for process in list(_LIVE):
        _stop_process(process, 1.0)


def _stop_process(
    process: subprocess.Popen[bytes] | None, timeout: float = 3.0
) -> None:
    """SIGTERM (SIPp ends its test and flushes its traces), then SIGKILL."""
    if process is None:
        return
    _LIVE.discard(process)
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


class _SippBase:
    """Shared parts: work folder, trace files, waiting for messages."""

    def __init__(
        self, label: str, work_dir: str | os.PathLike[str] | None, sipp: str | None
    ) -> None:
        self.sipp = sipp or find_sipp()
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix=f"sipp-{label}-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._traces: list[Path] = []
        self._cache: list[SipMessage] | None = None

    def _new_trace(self, stem: str) -> Path:
        path = self.work_dir / f"{stem}-{len(self._traces)}.msg"
        self._traces.append(path)
        return path

    def messages(self) -> list[SipMessage]:
        """Every message sent and received so far, in order."""
        if self._cache is not None:
            return list(self._cache)
        result: list[SipMessage] = []
        for path in self._traces:
            result.extend(parse_trace(path))
        return result

    def received(self, method: str | None = None) -> list[SipMessage]:
        """Received requests of one method (all received messages if None)."""
        return [
            m
            for m in self.messages()
            if m.direction == "received" and (method is None or m.method == method)
        ]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> SipMessage:
        """Wait until count requests of method were received; the count-th one."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.received(method)
            if len(got) >= count:
                return got[count - 1]
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{self}: {len(got)} of {count} {method} received in {timeout} s"
                )
            time.sleep(0.01)

    def _freeze(self) -> None:
        """Keep what was traced, then drop an automatic work folder."""
        self._cache = self.messages()
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)


class SipPhone(_SippBase):
    """A desk phone: SIPp answering INVITEs on 127.0.0.1:port, registered."""

    def __init__(
        self,
        name: str,
        sip_port: int,
        *,
        mode: str = "ring",
        answer_after_ms: int = 1000,
        port: int | None = None,
        register: bool = True,
        expires: int = 3600,
        sip_host: str = LOOPBACK,
        host: str = LOOPBACK,
        work_dir: str | os.PathLike[str] | None = None,
        sipp: str | None = None,
    ) -> None:
        """name: the PJSIP endpoint/AOR (desk1..desk4); sip_port: Asterisk's."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        super().__init__(name, work_dir, sipp)
        self.name = name
        self.sip_host = sip_host
        self.sip_port = sip_port
        self.host = host
        self.port = port or free_udp_port(host)
        self.mode = mode
        self.answer_after_ms = answer_after_ms
        self.register_on_start = register
        self.expires = expires
        self.registered = False
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"SipPhone({self.name}@{self.host}:{self.port}, {self.mode})"

    def __enter__(self) -> Self:
        return self if self._process is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self, timeout: float = 10.0) -> Self:
        """Listen on the phone's port, then register (if asked)."""
        self._start_uas(timeout)
        if self.register_on_start:
            self.register(timeout=timeout)
        return self

    def _scenario(self) -> Path:
        source = SIPP_DIR / f"{self.mode}.xml"
        if self.mode != "answer":
            return source
        text = source.read_text(encoding="utf-8")
        delay = max(1, int(self.answer_after_ms))
        text = text.replace(
            'timeout="1000" ontimeout="answer"', f'timeout="{delay}" ontimeout="answer"'
        )
        target = self.work_dir / f"answer-{delay}.xml"
        target.write_text(text, encoding="utf-8")
        return target

    def _start_uas(self, timeout: float) -> None:
        # As for REGISTER: a media or control port taken before SIPp bound it
        # (exit 254) is picked again.
        for _ in range(BIND_ATTEMPTS - 1):
            if self._start_uas_once(timeout) != SIPP_EXIT_BIND_ERROR:
                return
        self._start_uas_once(timeout, last=True)

    def _start_uas_once(self, timeout: float, *, last: bool = False) -> int:
        """Start listening; 0, or 254 when SIPp could not bind (not last)."""
        if self.running:
            raise SipPhoneError(f"{self} is running already")
        self._cache = None
        trace = self._new_trace(f"{self.name}-{self.mode}")
        log = self.work_dir / f"{self.name}-sipp.out"
        args = [
            self.sipp,
            "-sf", str(self._scenario()),
            "-s", self.name,
            "-i", self.host,
            "-p", str(self.port),
            "-mi", self.host,
            "-mp", str(free_media_port(self.host)),
            "-ci", self.host,
            "-cp", str(free_udp_port(self.host)),
            "-nostdin",
            "-trace_msg", "-message_file", str(trace),
            "-trace_err", "-error_file", str(self.work_dir / f"{self.name}-errors.log"),
        ]  # fmt: skip
        self._process = _spawn(args, log, self.work_dir)
        deadline = time.monotonic() + timeout
        while not _udp_bound(self.port):
            if (code := self._process.poll()) is not None:
                if code == SIPP_EXIT_BIND_ERROR and not last:
                    self._process = None
                    return code
                raise SipPhoneError(f"{self}: sipp exited with {code}; see {log}")
            if time.monotonic() >= deadline:
                self._kill()
                raise SipPhoneError(f"{self}: sipp did not listen within {timeout} s")
            time.sleep(0.01)
        return 0

    def _run_register(self, expires: int, timeout: float) -> None:
        # The ports are free when picked, but another process (or a second
        # pick of the kernel's) can take one before SIPp binds it: SIPp then
        # exits with 254 at once, having sent nothing. Pick again.
        for _ in range(BIND_ATTEMPTS - 1):
            if self._run_register_once(expires, timeout) != SIPP_EXIT_BIND_ERROR:
                return
        self._run_register_once(expires, timeout, last=True)

    def _run_register_once(
        self, expires: int, timeout: float, *, last: bool = False
    ) -> int:
        """One REGISTER run; its exit code (0), or 254 (not last), else raise."""
        trace = self._new_trace(f"{self.name}-register")
        args = [
            self.sipp, f"{self.sip_host}:{self.sip_port}",
            "-sf", str(SIPP_DIR / "register.xml"),
            "-s", self.name,
            "-key", "expires", str(expires),
            "-key", "contact_port", str(self.port),
            "-i", self.host,
            "-p", str(free_udp_port(self.host)),
            "-mi", self.host,
            "-mp", str(free_media_port(self.host)),
            "-ci", self.host,
            "-cp", str(free_udp_port(self.host)),
            "-m", "1",
            "-nostdin",
            "-timeout", f"{max(1, int(timeout))}s",
            "-timeout_error",
            "-trace_msg", "-message_file", str(trace),
        ]  # fmt: skip
        result = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.work_dir,
            timeout=timeout + 5,
            check=False,
        )
        if result.returncode == SIPP_EXIT_BIND_ERROR and not last:
            return result.returncode
        if result.returncode != 0:
            tail = result.stdout.decode(errors="replace")[-800:]
            raise SipPhoneError(
                f"{self}: REGISTER (expires {expires}) failed, sipp exit "
                f"{result.returncode}: {tail}"
            )
        return 0

    def register(self, timeout: float = 10.0) -> None:
        """REGISTER this phone's contact (sip:name@host:port) to its AOR."""
        self._run_register(self.expires, timeout)
        self.registered = True

    def unregister(self, timeout: float = 10.0) -> None:
        """Remove the contact: the desk's device state becomes UNAVAILABLE."""
        self._run_register(0, timeout)
        self.registered = False

    def set_mode(self, mode: str, answer_after_ms: int | None = None) -> None:
        """Restart the phone's SIPp in another mode (same port, stays registered).

        Calls in progress on the old process are dropped.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        _stop_process(self._process)
        self.mode = mode
        if answer_after_ms is not None:
            self.answer_after_ms = answer_after_ms
        self._start_uas(10.0)

    def stop(self, unregister: bool = True) -> None:
        """Unregister (best effort), stop SIPp, keep what it traced."""
        if self._cache is not None and not self.running:
            return
        if unregister and self.registered:
            with contextlib.suppress(SipPhoneError, subprocess.TimeoutExpired, OSError):
                self.unregister(timeout=3.0)
        self._kill()
        self._freeze()

    def _kill(self) -> None:
        _stop_process(self._process)

    # What the phone received ------------------------------------------------

    @property
    def invites(self) -> list[SipMessage]:
        return self.received("INVITE")

    @property
    def invite_count(self) -> int:
        return len(self.invites)

    @property
    def cancels(self) -> list[SipMessage]:
        return self.received("CANCEL")

    @property
    def byes(self) -> list[SipMessage]:
        return self.received("BYE")

    @property
    def last_invite(self) -> SipMessage | None:
        invites = self.invites
        return invites[-1] if invites else None


class SipCall(_SippBase):
    """One call placed into Asterisk by an endpoint (desk1..4 or caller).

    The INVITE goes to sip:dest@Asterisk with From user = the endpoint (so
    Asterisk identifies it) and P-Asserted-Identity "name" <number> (Asterisk
    trusts it: trust_id_inbound). Not answered within ring_timeout_ms: CANCEL.
    Answered: BYE after hold_ms.
    """

    def __init__(
        self,
        endpoint: str,
        dest: str,
        sip_port: int,
        *,
        caller_id_number: str | None = None,
        caller_id_name: str | None = None,
        ring_timeout_ms: int = 5000,
        hold_ms: int = 1000,
        port: int | None = None,
        sip_host: str = LOOPBACK,
        host: str = LOOPBACK,
        work_dir: str | os.PathLike[str] | None = None,
        sipp: str | None = None,
        audio: str | os.PathLike[str] | None = None,
    ) -> None:
        """audio: a raw 8 kHz mu-law file sent as RTP (PCMU) once answered."""
        for value in (endpoint, dest, caller_id_number or "", caller_id_name or ""):
            if any(c in value for c in '\r\n"<>'):
                raise ValueError(f"bad character in {value!r}")
        super().__init__(f"{endpoint}-call", work_dir, sipp)
        self.endpoint = endpoint
        self.dest = dest
        self.sip_port = sip_port
        self.sip_host = sip_host
        self.host = host
        self.port = port or free_udp_port(host)
        self.caller_id_number = caller_id_number or endpoint
        self.caller_id_name = caller_id_name or self.caller_id_number
        self.ring_timeout_ms = ring_timeout_ms
        self.hold_ms = hold_ms
        self.audio = Path(audio) if audio is not None else None
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"SipCall({self.endpoint} -> {self.dest})"

    def _with_audio(self, scenario: str) -> str:
        """The scenario, speaking the audio file (once) after its ACK."""
        if self.audio is None:
            return scenario
        if "," in str(self.audio):
            raise ValueError(f"a comma in {self.audio}")
        ack = scenario.index("</send>", scenario.index("CSeq: 1 ACK"))
        end = ack + len("</send>")
        speak = f'\n  <nop><action><exec rtp_stream="{self.audio},1,0"/></action></nop>'
        return scenario[:end] + speak + scenario[end:]

    def __enter__(self) -> Self:
        return self if self._process is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Self:
        """Send the INVITE (returns at once; the call runs in SIPp)."""
        source = (SIPP_DIR / "call.xml").read_text(encoding="utf-8")
        scenario = self.work_dir / "call.xml"
        scenario.write_text(
            self._with_audio(
                source.replace(
                    'timeout="5000" ontimeout="cancel"',
                    f'timeout="{max(1, int(self.ring_timeout_ms))}" ontimeout="cancel"',
                )
            ),
            encoding="utf-8",
        )
        trace = self._new_trace(f"{self.endpoint}-call")
        args = [
            self.sipp, f"{self.sip_host}:{self.sip_port}",
            "-sf", str(scenario),
            "-s", self.endpoint,
            "-key", "dest", self.dest,
            "-key", "cid_num", self.caller_id_number,
            "-key", "cid_name", self.caller_id_name,
            "-d", str(max(0, int(self.hold_ms))),
            "-i", self.host,
            "-p", str(self.port),
            "-mi", self.host,
            "-mp", str(free_media_port(self.host)),
            "-ci", self.host,
            "-cp", str(free_udp_port(self.host)),
            "-m", "1",
            "-nostdin",
            "-trace_msg", "-message_file", str(trace),
            "-trace_err", "-error_file", str(self.work_dir / "errors.log"),
        ]  # fmt: skip
        self._process = _spawn(args, self.work_dir / "sipp.out", self.work_dir)
        return self

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the call to end; SIPp's exit code (0: scenario completed)."""
        assert self._process is not None, "not started"
        return self._process.wait(timeout)

    def stop(self) -> None:
        """End SIPp (a call still up is abandoned) and keep what it traced."""
        if self._cache is not None and not self.running:
            return
        _stop_process(self._process)
        self._freeze()

    def responses(self) -> list[SipMessage]:
        """Responses received to the INVITE, in order."""
        return [
            m
            for m in self.messages()
            if m.direction == "received"
            and m.status is not None
            and m.cseq_method == "INVITE"
        ]

    @property
    def final_status(self) -> int | None:
        """The INVITE's final response code (200, 486, 487, ...), None if none yet."""
        finals = [m.status for m in self.responses() if m.status and m.status >= 200]
        return finals[0] if finals else None

    @property
    def answered(self) -> bool:
        return self.final_status == 200

    def wait_for_response(self, status: int, timeout: float = 5.0) -> SipMessage:
        """Wait until a response with that code to the INVITE arrived."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.responses():
                if message.status == status:
                    return message
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self}: no {status} within {timeout} s")
            time.sleep(0.01)


def place_call(endpoint: str, dest: str, sip_port: int, **kwargs: object) -> SipCall:
    """Start a SipCall (see its arguments) and return it."""
    return SipCall(endpoint, dest, sip_port, **kwargs).start()  # type: ignore[arg-type]


class SipSubscriber(_SippBase):
    """A BLF key: an endpoint's SUBSCRIBE to an extension, NOTIFYs answered.

    ``event`` ``dialog`` (dialog-info: ``early`` ringing, ``confirmed`` in use,
    ``terminated`` idle) or ``presence`` (PIDF: ``open``/``closed``).
    """

    def __init__(
        self,
        endpoint: str,
        watch: str,
        sip_port: int,
        *,
        event: str = "dialog",
        sip_host: str = LOOPBACK,
        host: str = LOOPBACK,
        work_dir: str | os.PathLike[str] | None = None,
        sipp: str | None = None,
    ) -> None:
        """endpoint subscribes (desk1..4); watch: the extension."""
        if event not in ("dialog", "presence"):
            raise ValueError(f"event must be dialog or presence, not {event!r}")
        super().__init__(f"{endpoint}-blf-{watch}", work_dir, sipp)
        self.endpoint = endpoint
        self.watch = watch
        self.event = event
        self.sip_port = sip_port
        self.sip_host = sip_host
        self.host = host
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"SipSubscriber({self.endpoint} -> {self.watch}, {self.event})"

    def start(self) -> Self:
        """Send the SUBSCRIBE (returns at once)."""
        accept = (
            "application/dialog-info+xml"
            if self.event == "dialog"
            else "application/pidf+xml"
        )
        trace = self._new_trace(f"{self.endpoint}-blf")
        args = [
            self.sipp, f"{self.sip_host}:{self.sip_port}",
            "-sf", str(SIPP_DIR / "subscribe.xml"),
            "-s", self.endpoint,
            "-key", "watch", self.watch,
            "-key", "event", self.event,
            "-key", "accept", accept,
            "-i", self.host,
            "-p", str(free_udp_port(self.host)),
            "-ci", self.host,
            "-cp", str(free_udp_port(self.host)),
            "-m", "1",
            "-nostdin",
            "-trace_msg", "-message_file", str(trace),
            "-trace_err", "-error_file", str(self.work_dir / "errors.log"),
        ]  # fmt: skip
        self._process = _spawn(args, self.work_dir / "sipp.out", self.work_dir)
        return self

    def stop(self) -> None:
        """End SIPp and keep what it traced."""
        if self._cache is not None and self._process is None:
            return
        _stop_process(self._process)
        self._process = None
        self._freeze()

    def states(self) -> list[str]:
        """The state each NOTIFY carried, in order (dialog-info or PIDF)."""
        found: list[str] = []
        pattern = (
            r"<state[^>]*>([^<]+)</state>"
            if self.event == "dialog"
            else r"<basic>([^<]+)</basic>"
        )
        for message in self.received("NOTIFY"):
            match = re.search(pattern, message.body)
            found.append(match.group(1).strip() if match else "")
        return found
