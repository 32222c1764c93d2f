"""A private pcscd with vpcd virtual readers, and virtual cards that answer the UID APDU.

Debian's ``vsmartcard-vpcd`` adds readers "Virtual PCD 00 00" and "Virtual PCD 00 01"
to ``pcscd``; each listens for a virtual card on TCP port 35963 (+1 for the second).
vpcd binds those ports on every address, so ``pcscd`` runs here in its own network
namespace (only its own loopback) and its own mount namespace (its socket lands in a
private folder instead of ``/run/pcscd``). The test process reaches the daemon through
that socket (``PCSCLITE_CSOCK_NAME``) and the readers by opening the card's TCP socket
inside the namespace (``setns``), so nothing listens on any of the host's addresses.

The card speaks the vpcd protocol: a 2-byte big-endian length, then the payload. A
1-byte payload is a control (0x04: answer the ATR; 0x00/0x01/0x02 power off/on/reset:
no answer); anything else is an APDU, answered with data + status word. Connected =
card on the reader; closed = card taken away.

Needs root and the packages from ``scripts/pcsc ensure``; ``unavailable_reason()``
says why not otherwise.
"""

from __future__ import annotations

import asyncio
import atexit
from collections.abc import Iterator
import contextlib
import fcntl
import os
from pathlib import Path
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_PORT = 35963
READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
# A MIFARE Classic 1K's ATR as PC/SC part 3 readers report it.
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
GET_UID = bytes.fromhex("FFCA000000")
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1


def unavailable_reason() -> str | None:
    """Why the PC/SC tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "PC/SC tests need root (private network and mount namespaces for pcscd)"
    missing = [
        name for name in ("pcscd", "unshare", "nsenter") if shutil.which(name) is None
    ]
    if not VPCD_DRIVER.exists():
        missing.append("vsmartcard-vpcd")
    try:
        import smartcard.scard  # noqa: F401, PLC0415
    except ImportError:
        missing.append("pyscard")
    if missing:
        return f"PC/SC tests need {', '.join(missing)}: run scripts/pcsc ensure"
    return None


def _new_netns_fd() -> int:
    """A new network namespace with loopback up; returns an fd that keeps it."""
    result: list[int | BaseException] = []

    def make() -> None:
        # Namespaces are per thread: only this short-lived thread moves.
        try:
            os.unshare(os.CLONE_NEWNET)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                ifreq = struct.pack("16sH", b"lo", 0)
                flags = struct.unpack(
                    "16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, ifreq)[:18]
                )[1]
                fcntl.ioctl(
                    sock, _SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | _IFF_UP)
                )
            result.append(os.open("/proc/thread-self/ns/net", os.O_RDONLY))
        except BaseException as err:  # noqa: BLE001
            result.append(err)

    thread = threading.Thread(target=make, name="waitpid-netns")
    thread.start()
    thread.join()
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


class PcscEnvironment:
    """A folder, a network namespace and the socket path of the test pcscd.

    One per test session: the PC/SC client library reads ``PCSCLITE_CSOCK_NAME``
    once per process, so the socket path never changes; pcscd itself is started
    and stopped per test (``start``/``stop``).
    """

    def __init__(self, base: Path) -> None:
        """Prepare folders; nothing runs yet."""
        self.base = base
        self.run_dir = base / "run"
        self.conf_dir = base / "reader.conf.d"
        self.empty_conf_dir = base / "no-readers.conf.d"
        self.log_path = base / "pcscd.log"
        self.socket_path = self.run_dir / "pcscd.comm"
        self.netns_fd = -1
        self.process: subprocess.Popen[bytes] | None = None

    def setup(self) -> None:
        """Make the namespace and config; point the client library at our socket."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.empty_conf_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:{VPCD_PORT}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    {VPCD_PORT}\n"
        )
        Path("/run/pcscd").mkdir(parents=True, exist_ok=True)  # the mount point
        self.netns_fd = _new_netns_fd()
        if os.environ.get("PCSCLITE_CSOCK_NAME") != str(self.socket_path):
            raise RuntimeError("PCSCLITE_CSOCK_NAME must be set before any PC/SC use")

    def teardown(self) -> None:
        """Stop pcscd, drop the namespace and the folder."""
        self.stop()
        if self.netns_fd >= 0:
            os.close(self.netns_fd)
            self.netns_fd = -1
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Whether our pcscd process is alive."""
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 10.0, *, readers: bool = True) -> None:
        """Start pcscd in the foreground and wait until it answers.

        ``readers=False``: a pcscd without any reader (none plugged in).
        """
        if self.running:
            return
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        with contextlib.suppress(FileNotFoundError):
            (self.run_dir / "pcscd.pid").unlink()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                "nsenter",
                f"--net=/proc/self/fd/{self.netns_fd}",
                "--",
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                'mount --bind "$1" /run/pcscd && exec pcscd --foreground --apdu -c "$2"',
                "sh",
                str(self.run_dir),
                str(self.conf_dir if readers else self.empty_conf_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            pass_fds=(self.netns_fd,),
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"pcscd exited ({self.process.returncode}): {self.log_tail()}"
                )
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pcscd did not answer in {timeout} s: {self.log_tail()}")

    def _answers(self) -> bool:
        if not self.socket_path.exists():
            return False
        from smartcard import scard  # noqa: PLC0415

        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != scard.SCARD_S_SUCCESS:
            return False
        scard.SCardReleaseContext(context)
        return True

    def card_present(self, reader: str) -> bool:
        """Whether pcscd sees a card on a reader now."""
        from smartcard import scard  # noqa: PLC0415

        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != scard.SCARD_S_SUCCESS:
            return False
        try:
            code, states = scard.SCardGetStatusChange(
                context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
            )
        finally:
            scard.SCardReleaseContext(context)
        return code == scard.SCARD_S_SUCCESS and bool(
            states[0][1] & scard.SCARD_STATE_PRESENT
        )

    def stop(self) -> None:
        """Stop pcscd (SIGTERM, then SIGKILL); safe to call twice."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def log_tail(self, lines: int = 20) -> str:
        """The end of pcscd's log, for failure messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def connect_socket(self, slot: int) -> socket.socket:
        """A TCP socket to vpcd's slot, opened inside pcscd's network namespace."""
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            os.setns(self.netns_fd, os.CLONE_NEWNET)
            try:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            finally:
                os.setns(own, os.CLONE_NEWNET)
        finally:
            os.close(own)
        sock.setblocking(False)
        return sock


class VirtualCard:
    """A contactless card with a UID, put on and taken off a vpcd reader."""

    atr = ATR

    def __init__(self, env: PcscEnvironment, uid: str, slot: int = 0) -> None:
        """A card; not on any reader yet."""
        self.env = env
        self.uid = bytes.fromhex(uid)
        self.slot = slot
        self.apdus: list[bytes] = []
        self.first_apdu_at: float | None = None  # perf_counter of the first APDU
        self.last_apdu_at: float | None = None  # ... and of the latest
        self._task: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.powered = False

    @property
    def reader(self) -> str:
        """The PC/SC name of the reader this card goes on."""
        return READERS[self.slot]

    async def present(self, timeout: float = 5.0) -> None:
        """Put the card on the reader (connect to vpcd)."""
        if self._task is not None:
            raise RuntimeError("card already on the reader")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sock = self.env.connect_socket(self.slot)
            try:
                await loop.sock_connect(sock, ("127.0.0.1", VPCD_PORT + self.slot))
                break
            except OSError:
                sock.close()
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_connection(sock=sock)
        self._writer = writer
        self._task = asyncio.create_task(self._serve(reader, writer))

    async def remove(self) -> None:
        """Take the card away (close the connection)."""
        task, writer = self._task, self._writer
        self._task = self._writer = None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                (length,) = struct.unpack(">H", await reader.readexactly(2))
                payload = await reader.readexactly(length)
                if length == 1:
                    if payload[0] == 0x04:
                        self._send(writer, self.atr)
                    else:
                        self.powered = payload[0] in (0x01, 0x02)
                    continue
                if self.first_apdu_at is None:
                    self.first_apdu_at = time.perf_counter()
                self.apdus.append(payload)
                self.last_apdu_at = time.perf_counter()
                self._send(writer, self.answer(payload))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def answer(self, apdu: bytes) -> bytes:
        """Answer an APDU: the UID for GET DATA (FF CA 00 00 00), else not supported."""
        if apdu == GET_UID:
            return self.uid + b"\x90\x00"
        return b"\x6d\x00"

    @staticmethod
    def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(struct.pack(">H", len(data)) + data)


# The PC/SC client library reads PCSCLITE_CSOCK_NAME once per process, at its
# first call: point it at the test daemon's socket when the tests are collected,
# before any test (or the integration) talks PC/SC. Without a test daemon running
# there, PC/SC calls find no pcscd, whatever runs on the host.
_BASE = Path(tempfile.gettempdir()) / f"hotdesk-pcsc-{os.getpid()}"
os.environ["PCSCLITE_CSOCK_NAME"] = str(_BASE / "run" / "pcscd.comm")
_environment: PcscEnvironment | None = None


def environment() -> PcscEnvironment:
    """The process's PC/SC test environment (made at first use)."""
    global _environment  # noqa: PLW0603
    if _environment is None:
        env = PcscEnvironment(_BASE)
        env.setup()
        atexit.register(env.teardown)
        _environment = env
    return _environment


@pytest.fixture
def pcsc_env() -> PcscEnvironment:
    """The PC/SC test environment, pcscd not started; skips where impossible."""
    if reason := unavailable_reason():
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    return environment()


@pytest.fixture
def pcscd(pcsc_env: PcscEnvironment) -> Iterator[PcscEnvironment]:
    """A running test pcscd with two vpcd readers; stopped after the test."""
    pcsc_env.start()
    yield pcsc_env
    pcsc_env.stop()
