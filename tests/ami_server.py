"""A small AMI server for tests: the real wire protocol over TCP on loopback.

It greets like Asterisk, answers Challenge (MD5) and Login (plain or with the
MD5 key; success or "Authentication failed", then closes like Asterisk
does), can serve over TLS (``make_ca``/``make_certificate`` make the
certificates in the test), keeps a real in-memory AstDB for the DB*
actions, answers list actions with EventList replies shaped like Asterisk
22's (see tests/fixtures/ami/queries.ami), records every raw byte it
receives, pushes events on demand and can drop or freeze connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
import contextlib
from dataclasses import dataclass, field
import datetime as dt
import hashlib
import ipaddress
import itertools
from pathlib import Path
import secrets
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

EOL = "\r\n"
GREETING = "Asterisk Call Manager/11.0.0"
ASTERISK_VERSION = "22.10.1"
# Sessions recorded from a real Asterisk (scripts/record-fixtures).
TRANSCRIPTS = Path(__file__).resolve().parent / "fixtures" / "ami"

type Headers = dict[str, str]
type ActionHandler = Callable[
    ["AmiTestServer", "_Session", Headers], list[Headers] | None
]


def encode(headers: Mapping[str, str]) -> bytes:
    """One AMI message on the wire."""
    return (EOL.join(f"{k}: {v}" for k, v in headers.items()) + EOL + EOL).encode()


def parse_block(block: str) -> Headers:
    """Headers of one message (first value wins)."""
    headers: Headers = {}
    for line in block.split(EOL):
        key, sep, value = line.partition(": ")
        if sep and key not in headers:
            headers[key] = value
    return headers


def transcript_events(name: str) -> list[Headers]:
    """The events of a recorded Asterisk session, in order (no replies)."""
    with (TRANSCRIPTS / name).open(
        encoding="utf-8", errors="replace", newline=""
    ) as file:
        raw = file.read()
    events: list[Headers] = []
    for block in raw.split(EOL + EOL):
        text = block.strip()
        if text.startswith(GREETING):
            text = text.partition(EOL)[2]
        headers = parse_block(text)
        if "Event" in headers and "ActionID" not in headers:
            events.append(headers)
    return events


def caller_uniqueid(events: Iterable[Headers]) -> str:
    """The Uniqueid of a recorded call's caller: the channel that rang a desk.

    Asterisk makes it from the clock at recording time, so tests take it
    from the recording instead of spelling it out.
    """
    return next(
        e["Uniqueid"]
        for e in events
        if e["Event"] == "DialBegin" and e.get("DestChannel", "").startswith("PJSIP/")
    )


def transcript_bytes(name: str) -> bytes:
    """The recorded event stream of a session, as raw bytes (no replies)."""
    return b"".join(encode(event) for event in transcript_events(name))


@dataclass(frozen=True)
class TlsCredential:
    """A certificate and its private key (PEM text), made for one test."""

    cert_pem: str
    key_pem: str

    @property
    def sha256(self) -> str:
        """The certificate's SHA-256 fingerprint, ``AB:CD:...``."""
        der = x509.load_pem_x509_certificate(self.cert_pem.encode()).public_bytes(
            serialization.Encoding.DER
        )
        digest = hashlib.sha256(der).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))

    def write(self, folder: Path, name: str) -> tuple[Path, Path]:
        """Write ``name.crt`` and ``name.key`` into folder; their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        cert, key = folder / f"{name}.crt", folder / f"{name}.key"
        cert.write_text(self.cert_pem, encoding="ascii")
        key.write_text(self.key_pem, encoding="ascii")
        return cert, key

    def server_context(self, folder: Path) -> ssl.SSLContext:
        """A TLS server context presenting this certificate."""
        cert, key = self.write(folder, f"server-{secrets.token_hex(4)}")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context


def _credential(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> TlsCredential:
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return TlsCredential(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(name: str = "Hotdesk Test CA") -> TlsCredential:
    """A certificate authority (ECDSA P-256), valid for 30 days."""
    return _credential(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
        ec.generate_private_key(ec.SECP256R1()),
        None,
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (_usage(cert_sign=True), True),
        ],
    )


def make_certificate(
    ca: TlsCredential | None = None,
    hosts: Iterable[str] = ("127.0.0.1", "localhost"),
    name: str = "Hotdesk Test PBX",
) -> TlsCredential:
    """A TLS server certificate for hosts, signed by ca (or self-signed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = None
    if ca is not None:
        ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
        ca_key = serialization.load_pem_private_key(ca.key_pem.encode(), None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        issuer = (ca_cert.subject, ca_key)
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return _credential(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
        key,
        issuer,
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_usage(cert_sign=False), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (x509.SubjectAlternativeName(names), False),
        ],
    )


@dataclass
class _Session:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    logged_in: bool = False
    frozen: bool = False
    challenge: str = ""

    def send(self, headers: Mapping[str, str]) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(headers))


@dataclass
class AmiTestServer:
    """The server; start with ``await server.start()``."""

    username: str = "hotdesk"
    secret: str = "s3cret"
    host: str = "127.0.0.1"
    port: int = 0
    endpoints: list[str] = field(
        default_factory=lambda: ["desk1", "desk2", "desk3", "desk4"]
    )
    device_states: dict[str, str] = field(
        default_factory=lambda: {f"PJSIP/desk{i}": "NOT_INUSE" for i in range(1, 5)}
    )
    channels: list[Headers] = field(default_factory=list)
    astdb: dict[str, str] = field(default_factory=dict)
    # app_queue: queue -> interface -> {"name", "paused", "membership"}.
    queues: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    received: bytearray = field(default_factory=bytearray)
    actions: list[Headers] = field(default_factory=list)
    handlers: dict[str, ActionHandler] = field(default_factory=dict)
    # Events sent right after a successful Redirect of a channel (by channel).
    logins: int = 0
    # TLS: serve every connection over it (None: plain TCP).
    ssl_context: ssl.SSLContext | None = None
    # Answer Action: Challenge (AuthType: MD5) like Asterisk; False plays a
    # PBX that offers no challenge login.
    challenge: bool = True
    _server: asyncio.Server | None = None
    _sessions: list[_Session] = field(default_factory=list)
    _login_event: asyncio.Event = field(default_factory=asyncio.Event)

    def _queue_action(
        self,
        name: str,
        action: Headers,
        reply: Callable[..., None],
        error: Callable[[str], None],
        listing: Callable[[str, list[Headers], str], None],
    ) -> bool:
        """app_queue's actions, as Asterisk 22 answers them (False: not one)."""
        queue = action.get("Queue", "")
        members = self.queues.get(queue)
        interface = action.get("Interface", "")
        if name == "queuesummary":
            listing(
                "Queue summary will follow",
                [{"Event": "QueueSummary", "Queue": q} for q in sorted(self.queues)],
                "QueueSummaryComplete",
            )
        elif name == "queuestatus":
            listing(
                "Queue status will follow",
                [
                    {
                        "Event": "QueueMember",
                        "Queue": q,
                        "Name": m["name"],
                        "Location": i,
                        "StateInterface": i,
                        "Membership": m["membership"],
                        "Paused": m["paused"],
                    }
                    for q in sorted(self.queues)
                    if not queue or q == queue
                    for i, m in sorted(self.queues[q].items())
                ],
                "QueueStatusComplete",
            )
        elif members is None and name in ("queueadd", "queueremove", "queuepause"):
            error("Unable to add interface to queue: No such queue")
        elif name == "queueadd":
            if interface in members:  # type: ignore[operator]
                error("Unable to add interface: Already there")
            else:
                members[interface] = {  # type: ignore[index]
                    "name": action.get("MemberName", interface),
                    "paused": "1" if action.get("Paused") == "true" else "0",
                    "membership": "dynamic",
                }
                reply(Message="Added interface to queue")
        elif name == "queueremove":
            if members.pop(interface, None) is None:  # type: ignore[union-attr]
                error("Unable to remove interface: Not there")
            else:
                reply(Message="Removed interface from queue")
        elif name == "queuepause":
            if interface not in members:  # type: ignore[operator]
                error("Interface not found")
            else:
                members[interface]["paused"] = (  # type: ignore[index]
                    "1" if action.get("Paused") == "true" else "0"
                )
                reply(Message="Interface paused successfully")
        else:
            return False
        return True

    async def start(self) -> None:
        """Listen on loopback (an ephemeral port unless one was given)."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close every session."""
        self.drop_connections()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def restart(self) -> None:
        """Listen again on the same port after ``stop``."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)

    def drop_connections(self) -> None:
        """Close every client connection (the PBX went away)."""
        for session in self._sessions:
            session.writer.close()
        self._sessions.clear()

    def freeze(self) -> None:
        """Stop answering anything, without closing (a half-open link)."""
        for session in self._sessions:
            session.frozen = True

    @property
    def sessions(self) -> int:
        """Connected clients."""
        return len(self._sessions)

    async def wait_for_login(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` successful logins happened in total."""
        async with asyncio.timeout(timeout):
            while self.logins < count:
                self._login_event.clear()
                await self._login_event.wait()

    def push_event(self, headers: Mapping[str, str]) -> None:
        """Send one event to every logged-in client."""
        for session in self._sessions:
            if session.logged_in:
                session.send(headers)

    def push_events(self, events: Iterable[Mapping[str, str]]) -> None:
        """Send events in order."""
        for event in events:
            self.push_event(event)

    def push_raw(self, data: bytes) -> None:
        """Send raw bytes to every logged-in client."""
        for session in self._sessions:
            if session.logged_in and not session.writer.is_closing():
                session.writer.write(data)

    def actions_named(self, name: str) -> list[Headers]:
        """Received actions of one kind, in order."""
        return [a for a in self.actions if a.get("Action", "").lower() == name.lower()]

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if self.ssl_context is not None:
            # The handshake here, not in start_server: a client refusing the
            # certificate is a test's subject, not an error of the loop.
            try:
                await writer.start_tls(self.ssl_context)
            except OSError:
                writer.close()
                return
        session = _Session(reader, writer)
        self._sessions.append(session)
        writer.write((GREETING + EOL).encode())
        buffer = ""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                self.received.extend(data)
                buffer += data.decode("utf-8", "replace")
                while EOL + EOL in buffer:
                    block, _, buffer = buffer.partition(EOL + EOL)
                    if session.frozen:
                        continue
                    headers = parse_block(block.strip())
                    if "Action" not in headers:
                        continue
                    self.actions.append(headers)
                    if not self._answer(session, headers):
                        break
                else:
                    await writer.drain()
                    continue
                break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()

    def _secret_proven(self, session: _Session, action: Headers) -> bool:
        """A Login's secret, or its MD5 key over this session's challenge."""
        if action.get("AuthType", "").lower() == "md5":
            expected = hashlib.md5(
                (session.challenge + self.secret).encode(), usedforsecurity=False
            ).hexdigest()
            return bool(session.challenge) and action.get("Key") == expected
        return action.get("Secret") == self.secret

    def _answer(self, session: _Session, action: Headers) -> bool:
        """Reply to one action; False closes the connection."""
        name = action["Action"].lower()
        action_id = action.get("ActionID", "")

        def reply(**headers: str) -> None:
            session.send({"Response": "Success", "ActionID": action_id, **headers})

        def error(message: str) -> None:
            session.send(
                {"Response": "Error", "ActionID": action_id, "Message": message}
            )

        def listing(message: str, items: list[Headers], complete: str) -> None:
            reply(EventList="start", Message=message)
            for item in items:
                session.send(
                    {"Event": item.pop("Event"), "ActionID": action_id, **item}
                )
            session.send(
                {
                    "Event": complete,
                    "ActionID": action_id,
                    "EventList": "Complete",
                    "ListItems": str(len(items)),
                }
            )

        if name == "challenge" and self.challenge:
            if action.get("AuthType", "").lower() != "md5":
                error("Must specify AuthType")
                return True
            # Like Asterisk: one challenge per session, a random number.
            session.challenge = session.challenge or str(secrets.randbelow(2**31))
            reply(Challenge=session.challenge)
            return True
        if name == "login":
            if action.get("Username") == self.username and self._secret_proven(
                session, action
            ):
                session.logged_in = True
                reply(Message="Authentication accepted")
                session.send(
                    {
                        "Event": "FullyBooted",
                        "Privilege": "system,all",
                        "Status": "Fully Booted",
                    }
                )
                self.logins += 1
                self._login_event.set()
                return True
            error("Authentication failed")
            return False
        if not session.logged_in:
            error("Permission denied")
            return True
        if name in self.handlers:
            custom = self.handlers[name](self, session, action)
            if custom is not None:
                for message in custom:
                    session.send({**message, "ActionID": action_id})
                return True
        if name == "logoff":
            session.send(
                {
                    "Response": "Goodbye",
                    "ActionID": action_id,
                    "Message": "Thanks for all the fish.",
                }
            )
            return False
        if name == "ping":
            reply(Ping="Pong", Timestamp="1795462792.000000")
        elif name.startswith("queue") and self._queue_action(
            name, action, reply, error, listing
        ):
            pass
        elif name == "dbput":
            self.astdb[f"{action['Family']}/{action['Key']}"] = action.get("Val", "")
            reply(Message="Updated database successfully")
        elif name == "dbdel":
            key = f"{action['Family']}/{action['Key']}"
            if self.astdb.pop(key, None) is None:
                error("Database entry not found")
            else:
                reply(Message="Key deleted successfully")
        elif name == "dbdeltree":
            prefix = action["Family"] + (
                f"/{action['Key']}" if action.get("Key") else ""
            )
            doomed = [
                k for k in self.astdb if k == prefix or k.startswith(prefix + "/")
            ]
            for key in doomed:
                del self.astdb[key]
            if doomed:
                reply(Message="Key tree deleted successfully")
            else:
                error("Database entry not found")
        elif name == "dbget":
            key = f"{action['Family']}/{action['Key']}"
            if key not in self.astdb:
                error("Database entry not found")
            else:
                listing(
                    "Result will follow",
                    [
                        {
                            "Event": "DBGetResponse",
                            "Family": action["Family"],
                            "Key": action["Key"],
                            "Val": self.astdb[key],
                        }
                    ],
                    "DBGetComplete",
                )
        elif name == "dbgettree":
            # As Asterisk 22 answers: every key below the family, with its
            # whole path; an empty list when there is none.
            family = action.get("Family", "")
            listing(
                "Result will follow",
                [
                    {"Event": "DBGetTreeResponse", "Key": f"/{key}", "Val": value}
                    for key, value in sorted(self.astdb.items())
                    if key.startswith(f"{family}/")
                ],
                "DBGetTreeComplete",
            )
        elif name == "pjsipshowendpoints":
            listing(
                "A listing of Endpoints follows, presented as EndpointList events",
                [
                    {
                        "Event": "EndpointList",
                        "ObjectType": "endpoint",
                        "ObjectName": endpoint,
                        "DeviceState": "Not in use",
                        "ActiveChannels": "0",
                    }
                    for endpoint in self.endpoints
                ],
                "EndpointListComplete",
            )
        elif name == "devicestatelist":
            listing(
                "Device State Changes will follow",
                [
                    {"Event": "DeviceStateChange", "Device": d, "State": s}
                    for d, s in self.device_states.items()
                ],
                "DeviceStateListComplete",
            )
        elif name == "coreshowchannels":
            listing(
                "Channels will follow",
                [{"Event": "CoreShowChannel", **channel} for channel in self.channels],
                "CoreShowChannelsComplete",
            )
        elif name == "getvar":
            variable = action.get("Variable", "")
            device = variable.removeprefix("DEVICE_STATE(").removesuffix(")")
            if device == variable:
                error("Only DEVICE_STATE() is known here")
            else:
                reply(
                    Variable=variable,
                    Value=self.device_states.get(device, "UNKNOWN"),
                )
        elif name == "setvar":
            # Custom device states, kept in AstDB as Asterisk keeps them.
            variable = action.get("Variable", "")
            device = variable.removeprefix("DEVICE_STATE(Custom:").removesuffix(")")
            if device == variable:
                error("Only DEVICE_STATE(Custom:...) is known here")
            else:
                self.astdb[f"CustomDevstate/{device}"] = action.get("Value", "")
                self.device_states[f"Custom:{device}"] = action.get("Value", "")
                reply(Message="Variable Set")
        elif name == "coresettings":
            reply(AMIversion="11.0.0", AsteriskVersion=ASTERISK_VERSION)
        elif name == "redirect":
            reply(Message="Redirect successful")
        elif name == "originate":
            reply(Message="Originate successfully queued")
        else:
            error("Invalid/unknown command")
        return True


_ids = itertools.count(1)


def next_uniqueid() -> str:
    """A fresh Asterisk-style unique id."""
    return f"1795463000.{next(_ids)}"


async def _serve_forever(port: int) -> None:
    server = AmiTestServer(port=port)
    await server.start()
    print(
        f"AMI test server on 127.0.0.1:{server.port} (user {server.username}, secret {server.secret})"
    )
    await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    asyncio.run(_serve_forever(int(sys.argv[1]) if len(sys.argv) > 1 else 5038))
