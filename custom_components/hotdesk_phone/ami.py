"""The AMI client: the one connection to the PBX (Asterisk Manager Interface).

It uses panoramisk's wire protocol (``ami_wire.py``: parsing, ActionID
matching, list replies) but owns the connection life cycle itself, because
panoramisk's ``Manager`` retries a wrong secret forever, schedules reconnects
that ``close()`` cannot cancel, resends actions after a reconnect and has no
reply timeout on its keep-alive. No Home Assistant imports here.

The link may run over TLS (``ami_tls.py``: the PBX's certificate checked
against the system's CAs, a given CA, or a pinned SHA-256 fingerprint), and
the login uses AMI's MD5 challenge when the PBX offers it, so the secret
itself never crosses the wire. Its failures are ``ami_errors.py``'s.
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Awaitable, Callable, Iterable, Mapping
import contextlib
from dataclasses import dataclass, field
import hashlib
import hmac
import logging
import ssl
from typing import Any, cast

from panoramisk import actions as pm_actions
from panoramisk.message import Message

from .ami_errors import (
    AmiActionError,
    AmiAuthError,
    AmiConnectionError,
    AmiError,
    AmiInsecureLoginError,
    AmiTimeoutError,
)
from .ami_tls import (
    AmiCertificateError,
    AmiTlsError,
    CertificateInfo,
    LinkSecurity,
    TlsSettings,
    build_ssl_context,
    fetch_certificate,
    peer_certificate,
    peer_is_loopback,
)
from .ami_wire import (
    EOL,
    SUCCESS_RESPONSES,
    AmiEvent,
    LinkProtocol,
    ListReply,
    wire_lines,
)

# What one action gets back: a message, or a list reply (response + events).
type AmiReply = Message | list[Message]

_LOGGER = logging.getLogger(__name__)


def _md5_key(challenge: str, secret: str) -> str:
    # AMI's challenge login is defined with MD5; the secret stays local.
    digest = hashlib.md5((challenge + secret).encode(), usedforsecurity=False)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A PJSIP endpoint as listed by the PBX."""

    name: str
    device_state: str
    dial_string: str


@dataclass(frozen=True, slots=True)
class ActiveChannel:
    """A channel that exists on the PBX right now."""

    channel: str
    uniqueid: str
    linkedid: str
    state: str
    caller_id_number: str
    caller_id_name: str
    context: str
    extension: str
    application: str
    bridge_id: str


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def _items(
    messages: Iterable[dict[str, str]], event: str, *required: str
) -> list[dict[str, str]]:
    """The items of a list reply that carry every ``required`` field.

    Names are lower case (``parse_list_item``). An item without a field it is
    identified by is skipped: one odd item from the PBX must not fail a whole
    resync.
    """
    items: list[dict[str, str]] = []
    for message in messages:
        if message.get("event") != event:
            continue
        if all(message.get(key) for key in required):
            items.append(message)
        else:
            _LOGGER.debug("Skipping a %s item without %s: %r", event, required, message)
    return items


type EventCallback = Callable[[AmiEvent], None]
type ConnectedCallback = Callable[[], Awaitable[None]]
type DisconnectedCallback = Callable[[], None]
type CertificateErrorCallback = Callable[[AmiCertificateError], None]


@dataclass(kw_only=True)
class AmiClient:
    """A long-lived, self-healing AMI connection.

    ``connect()`` makes one attempt and raises ``AmiConnectionError`` or
    ``AmiAuthError``; after it succeeded, a lost link is re-established in
    the background with capped exponential back-off, and ``on_connected``
    runs after every successful login (the first one included) so the
    caller can resynchronise its state.

    ``tls`` puts the link in TLS; every connect (reconnects too) checks the
    PBX's certificate the same way before anything is sent, and a failed
    check raises ``AmiCertificateError``. The login uses the MD5 challenge
    when the PBX offers it; otherwise the secret is sent in clear only if
    ``allow_plain_login`` says so (by default: over TLS, or to a loopback
    address) and ``AmiInsecureLoginError`` is raised instead.
    """

    host: str
    port: int
    username: str
    secret: str
    tls: TlsSettings | None = None
    allow_plain_login: bool | None = None
    on_event: EventCallback | None = None
    on_connected: ConnectedCallback | None = None
    on_disconnected: DisconnectedCallback | None = None
    on_auth_failed: DisconnectedCallback | None = None
    # Once per outage, when a reconnect finds a certificate that fails the
    # check (the link stays down until it passes again).
    on_certificate_error: CertificateErrorCallback | None = None
    connect_timeout: float = 5.0
    action_timeout: float = 5.0
    ping_interval: float = 20.0
    reconnect_min_delay: float = 1.0
    reconnect_max_delay: float = 60.0
    # After Login, wait this long for FullyBooted: a PBX that is still
    # booting accepts the login but not yet every action of the resync.
    boot_timeout: float = 10.0

    version: str | None = field(default=None, init=False)
    _protocol: LinkProtocol | None = field(default=None, init=False)
    _list_count: int = field(default=0, init=False)
    _opening: LinkProtocol | None = field(default=None, init=False)
    _closing: bool = field(default=False, init=False)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    _reconnect_task: asyncio.Task[None] | None = field(default=None, init=False)
    _ping_task: asyncio.Task[None] | None = field(default=None, init=False)
    _auth_failed: bool = field(default=False, init=False)
    _ssl_context: ssl.SSLContext | None = field(default=None, init=False)
    _md5_login: bool | None = field(default=None, init=False)
    _peer_loopback: bool | None = field(default=None, init=False)
    _certificate: CertificateInfo | None = field(default=None, init=False)
    _certificate_error: AmiCertificateError | None = field(default=None, init=False)

    @property
    def connected(self) -> bool:
        """Whether a logged-in connection is up."""
        return self._protocol is not None and not self._protocol.closed

    @property
    def auth_failed(self) -> bool:
        """Whether the last reconnect attempt was refused for bad credentials."""
        return self._auth_failed

    @property
    def link_security(self) -> LinkSecurity | None:
        """How the link is protected.

        With TLS its verification (known before connecting); without, how
        the last successful login went (``None`` before the first one).
        """
        if self.tls is not None:
            return self.tls.security
        if self._md5_login is None:
            return None
        return LinkSecurity.MD5_CHALLENGE if self._md5_login else LinkSecurity.PLAIN

    @property
    def peer_is_loopback(self) -> bool | None:
        """Whether the last link went to a loopback address (None: none yet)."""
        return self._peer_loopback

    @property
    def server_certificate(self) -> CertificateInfo | None:
        """The certificate of the last TLS link that passed the check."""
        return self._certificate

    @property
    def certificate_error(self) -> AmiCertificateError | None:
        """The last connect's certificate failure; cleared by a login."""
        return self._certificate_error

    async def connect(self) -> None:
        """Connect and log in once; raise on failure."""
        self._closing = False
        await self._open()
        self._start_ping()
        try:
            await self._run_on_connected()
        except BaseException:
            # The caller treats this as a failed connect: leave no link, ping
            # or reconnect task behind (a link lost during the resync has
            # already scheduled a reconnect).
            await self.close()
            raise

    async def _open(self) -> None:
        protocol = await self._connect_transport()
        protocol.encoding = "utf-8"
        protocol.queue.clear()
        protocol.responses = {}
        protocol.factory = None
        protocol.log = _LOGGER
        # The link becomes the client's only once logged in: a PBX that
        # closes after refusing the login must not look like a lost link
        # (no reconnect for a wrong secret). close() ends it meanwhile.
        self._opening = protocol
        try:
            self._peer_loopback = peer_is_loopback(protocol.transport)
            if self.tls is not None:
                self._check_certificate(protocol, self.tls)
            reply, md5 = await self._login(protocol)
        except BaseException:  # cancelled too: leave no socket behind
            self._drop(protocol)
            raise
        finally:
            self._opening = None
        if not reply.success:
            self._drop(protocol)
            message = str(reply.get("Message", "Authentication failed"))
            if not message.lower().startswith("authentication"):
                # e.g. "Asterisk is shutting down": not the credentials' fault.
                raise AmiConnectionError(f"The PBX refused the login: {message}")
            self._auth_failed = True
            raise AmiAuthError(message)
        if protocol.closed:  # ended right after the login
            self._drop(protocol)
            raise AmiConnectionError("Connection to the PBX lost during login")
        self._protocol = protocol
        self._auth_failed = False
        self._certificate_error = None
        self._md5_login = md5
        await self._wait_booted(protocol)
        self.version = protocol.version
        _LOGGER.debug(
            "Logged in to AMI at %s:%s (%s)",
            self.host,
            self.port,
            self.link_security,
        )

    async def _connect_transport(self) -> LinkProtocol:
        loop = asyncio.get_running_loop()

        def factory() -> LinkProtocol:
            protocol = LinkProtocol()
            protocol.client = self
            protocol.booted = asyncio.Event()
            protocol.decoder = codecs.getincrementaldecoder("utf-8")("replace")
            return protocol

        tls: dict[str, Any] = {}
        if self.tls is not None:
            tls["ssl"] = await self._tls_context(self.tls)
            tls["server_hostname"] = self.tls.server_name or self.host
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, protocol = await loop.create_connection(
                    factory, self.host, self.port, **tls
                )
        except ssl.SSLCertVerificationError as err:
            raise await self._verification_failed(
                str(err.verify_message or err)
            ) from err
        except ssl.SSLError as err:
            raise AmiTlsError(
                f"No TLS handshake with the PBX at {self.host}:{self.port} "
                f"(is it AMI's TLS port?): {err}"
            ) from err
        except (OSError, TimeoutError) as err:
            raise AmiConnectionError(
                f"Cannot reach the PBX at {self.host}:{self.port}: {err}"
            ) from err
        return protocol

    async def _tls_context(self, tls: TlsSettings) -> ssl.SSLContext:
        """The SSL context, made once (off the loop: it reads CA files)."""
        if self._ssl_context is None:
            loop = asyncio.get_running_loop()
            self._ssl_context = await loop.run_in_executor(None, build_ssl_context, tls)
        return self._ssl_context

    def _refuse_certificate(
        self, reason: str, seen: CertificateInfo | None
    ) -> AmiCertificateError:
        self._certificate_error = AmiCertificateError(
            f"The PBX at {self.host}:{self.port} failed the certificate check "
            f"({reason}); not logging in",
            seen,
        )
        return self._certificate_error

    async def _verification_failed(self, reason: str) -> AmiCertificateError:
        """The handshake refused the certificate: look at it once more.

        A second handshake without checks reads what the PBX showed, so the
        error can name its fingerprint. Nothing else is sent.
        """
        seen: CertificateInfo | None = None
        server_name = self.tls.server_name if self.tls is not None else None
        with contextlib.suppress(AmiError):
            seen = await fetch_certificate(
                self.host, self.port, self.connect_timeout, server_name=server_name
            )
        return self._refuse_certificate(reason, seen)

    def _check_certificate(self, protocol: LinkProtocol, tls: TlsSettings) -> None:
        """Check the pin (the handshake checked CA and name); nothing sent yet."""
        seen = peer_certificate(protocol.transport)
        if tls.fingerprint is not None and not hmac.compare_digest(
            seen.sha256.encode(), tls.fingerprint.encode()
        ):
            raise self._refuse_certificate(
                f"its certificate's SHA-256 fingerprint {seen.sha256} is not "
                f"the pinned {tls.fingerprint}",
                seen,
            )
        self._certificate = seen

    async def _login(self, protocol: LinkProtocol) -> tuple[Message, bool]:
        """Log in; the reply, and whether the MD5 challenge was used."""
        fields = {"Action": "Login", "Username": self.username}
        challenge = await self._challenge(protocol)
        if challenge is not None:
            fields["AuthType"] = "MD5"
            fields["Key"] = _md5_key(challenge, self.secret)
        elif self._plain_login_allowed():
            _LOGGER.debug("The PBX offers no challenge login; sending the secret")
            fields["Secret"] = self.secret
        else:
            raise AmiInsecureLoginError(
                f"The PBX at {self.host}:{self.port} offers no challenge login, "
                "and the secret is not sent in clear over the network: "
                "use AMI over TLS"
            )
        fields["Events"] = "on"
        reply = await self._send_on(protocol, fields, self.connect_timeout)
        if isinstance(reply, list):  # never for Login; keeps the type exact
            reply = reply[0]
        return reply, challenge is not None

    async def _challenge(self, protocol: LinkProtocol) -> str | None:
        """The PBX's MD5 challenge, or None if it offers none."""
        reply = await self._send_on(
            protocol, {"Action": "Challenge", "AuthType": "MD5"}, self.connect_timeout
        )
        if isinstance(reply, list):
            reply = reply[0]
        challenge = _first(reply.get("Challenge", "")) if reply.success else ""
        return challenge or None

    def _plain_login_allowed(self) -> bool:
        if self.allow_plain_login is not None:
            return self.allow_plain_login
        return self.tls is not None or bool(self._peer_loopback)

    async def _wait_booted(self, protocol: LinkProtocol) -> None:
        """Wait for FullyBooted (sent at once after Login when booted)."""
        try:
            async with asyncio.timeout(self.boot_timeout):
                await protocol.booted.wait()
        except TimeoutError:
            _LOGGER.warning(
                "The PBX at %s:%s sent no FullyBooted within %s s of the login "
                "(does the AMI user have read=system?); going on",
                self.host,
                self.port,
                self.boot_timeout,
            )
        if protocol.closed:
            raise AmiConnectionError("Connection to the PBX lost during login")

    def _drop(self, protocol: LinkProtocol) -> None:
        protocol.close()
        protocol.fail_pending(AmiConnectionError("Connection closed"))
        if self._protocol is protocol:
            self._protocol = None

    async def _run_on_connected(self) -> None:
        if self.on_connected is not None:
            await self.on_connected()

    def handle_event(self, event: AmiEvent) -> None:
        """Hand a tracked event to the owner; a Shutdown drops the link."""
        if event.name == "Shutdown" and self._protocol is not None:
            self._protocol.transport.close()
            return
        if self.on_event is not None:
            self.on_event(event)

    def handle_connection_lost(self, protocol: LinkProtocol) -> None:
        """Called by the protocol when its TCP link ends."""
        protocol.fail_pending(AmiConnectionError("Connection to the PBX lost"))
        if self._protocol is not protocol:
            return
        self._protocol = None
        self._stop_ping()
        if self._closing:
            return
        if self.on_disconnected is not None:
            self.on_disconnected()
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = self._spawn(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        delay = self.reconnect_min_delay
        told: set[type[AmiError]] = set()
        while not self._closing:
            await asyncio.sleep(delay)
            try:
                await self._open()
            except (AmiAuthError, AmiCertificateError) as err:
                _LOGGER.debug("Reconnect refused: %s", err)
                # Tell the owner once per outage; keep trying slowly in case
                # the PBX side is fixed rather than our stored settings.
                if type(err) not in told:
                    told.add(type(err))
                    self._report_refusal(err)
            except AmiConnectionError as err:
                _LOGGER.debug("Reconnect failed: %s", err)
            else:
                self._start_ping()
                try:
                    await self._run_on_connected()
                except AmiError as err:
                    # The link died again, or the PBX refused part of the
                    # resync: drop the link (if still up) and try again; this
                    # task is the one that reconnects.
                    _LOGGER.debug("Resync after reconnect failed: %s", err)
                    self._drop_current()
                except Exception:
                    # Anything else (a reply we cannot read, a bug in the
                    # hook) must not end this task: the hub would stay
                    # disconnected for good. Start over, backing off.
                    _LOGGER.warning(
                        "Resync after reconnect to %s:%s failed; retrying",
                        self.host,
                        self.port,
                        exc_info=True,
                    )
                    self._drop_current()
                else:
                    return
            delay = min(delay * 2, self.reconnect_max_delay)

    def _report_refusal(self, err: AmiAuthError | AmiCertificateError) -> None:
        if isinstance(err, AmiAuthError):
            if self.on_auth_failed is not None:
                self.on_auth_failed()
            return
        # The link stays down while the certificate fails; no secret went out.
        _LOGGER.warning("%s", err)
        if self.on_certificate_error is not None:
            self.on_certificate_error(err)

    def _drop_current(self) -> None:
        """Drop the current link without scheduling a reconnect."""
        protocol = self._protocol
        if protocol is not None:
            self._stop_ping()
            self._drop(protocol)

    def _start_ping(self) -> None:
        self._stop_ping()
        self._ping_task = self._spawn(self._ping_loop())

    def _stop_ping(self) -> None:
        if (
            self._ping_task is not None
            and self._ping_task is not asyncio.current_task()
        ):
            self._ping_task.cancel()
        self._ping_task = None

    async def _ping_loop(self) -> None:
        # panoramisk's ping never checks for a reply; a half-open link
        # (PBX gone without a FIN) is only noticed when a Ping times out.
        while True:
            await asyncio.sleep(self.ping_interval)
            protocol = self._protocol
            if protocol is None:
                return
            try:
                await self._send_on(protocol, {"Action": "Ping"}, self.action_timeout)
            except AmiTimeoutError:
                _LOGGER.debug("AMI keep-alive timed out; dropping the link")
                protocol.transport.abort()
                return
            except AmiConnectionError:
                return

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        """Close the link and cancel every timer and task."""
        self._closing = True
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # A task that was done already returns at once, before its done
        # callback (which forgets it) has run: forget them all here.
        self._tasks.difference_update(tasks)
        self._reconnect_task = None
        self._ping_task = None
        if self._opening is not None:  # a connect() still logging in
            self._drop(self._opening)
        protocol = self._protocol
        if protocol is not None:
            self._protocol = None
            with contextlib.suppress(AmiError, OSError):
                await self._send_on(protocol, {"Action": "Logoff"}, 1.0)
            self._drop(protocol)

    async def _send_on(
        self,
        protocol: LinkProtocol,
        fields: Mapping[str, str | Iterable[str]],
        reply_within: float,
        *,
        as_list: bool | None = None,
        lines: list[str] | None = None,
    ) -> AmiReply:
        if lines is None:
            lines = wire_lines(fields)
        if protocol.closed:
            raise AmiConnectionError("Not connected to the PBX")
        # panoramisk's Action only matches the replies; of the fields, its
        # reply logic reads Async alone (Originate). The wire text is ours.
        action = pm_actions.Action(
            {k: v for k, v in fields.items() if k.lower() == "async"},
            as_list=as_list,
        )
        return cast(
            "AmiReply",
            await self._exchange(
                protocol,
                protocol.responses,
                action.id,
                action,
                lines=lines,
                name=str(fields.get("Action")),
                reply_within=reply_within,
            ),
        )

    @staticmethod
    async def _exchange(
        protocol: LinkProtocol,
        waiting: dict[str, Any],
        action_id: str,
        waiter: Any,
        *,
        lines: list[str],
        name: str,
        reply_within: float,
    ) -> Any:
        """Write one action as ``action_id``; the result of ``waiter.future``.

        ``waiter`` waits in ``waiting`` (the protocol's map of what answers
        go where) until its answer is whole, or is taken out on a timeout.
        """
        waiting[action_id] = waiter
        protocol.transport.write(
            f"{EOL.join(lines)}{EOL}ActionID: {action_id}{EOL}{EOL}".encode()
        )
        try:
            async with asyncio.timeout(reply_within):
                return await waiter.future
        except TimeoutError as err:
            waiting.pop(action_id, None)
            raise AmiTimeoutError(
                f"{name} got no reply within {reply_within} s"
            ) from err

    async def send(
        self,
        fields: Mapping[str, str | Iterable[str]],
        *,
        as_list: bool | None = None,
    ) -> AmiReply:
        """Send one action; values are checked before anything is written.

        The reply is one message, or a list (the response, then its events)
        for a list reply.
        """
        lines = wire_lines(fields)
        return await self._send_on(
            self._open_protocol(),
            fields,
            self.action_timeout,
            as_list=as_list,
            lines=lines,
        )

    def _open_protocol(self) -> LinkProtocol:
        """The link's protocol; ``AmiConnectionError`` while there is none."""
        protocol = self._protocol
        if protocol is None or protocol.closed:
            raise AmiConnectionError("Not connected to the PBX")
        return protocol

    async def _command(
        self,
        fields: Mapping[str, str | Iterable[str]],
        *,
        ok_errors: tuple[str, ...] = (),
    ) -> Message:
        sent = await self.send(fields)
        reply = sent[0] if isinstance(sent, list) else sent
        if not reply.success:
            reason = str(reply.get("Message", "error"))
            if reason in ok_errors:
                return reply
            raise AmiActionError(str(fields["Action"]), reason)
        return reply

    async def _list(self, fields: Mapping[str, str]) -> list[dict[str, str]]:
        """Send a list action; its events (names in lower case), in order."""
        lines = wire_lines(fields)
        protocol = self._open_protocol()
        self._list_count += 1
        response, items = await self._exchange(
            protocol,
            protocol.lists,
            f"hotdesk-list-{self._list_count}",
            ListReply(),
            lines=lines,
            name=fields["Action"],
            reply_within=self.action_timeout,
        )
        if response.get("response") not in SUCCESS_RESPONSES:
            raise AmiActionError(fields["Action"], response.get("message", "error"))
        return cast("list[dict[str, str]]", items)

    # Typed actions used by the product.

    async def ping(self) -> None:
        """Round trip a Ping."""
        await self._command({"Action": "Ping"})

    async def redirect(
        self, channel: str, context: str, exten: str, priority: int = 1
    ) -> None:
        """Move a channel to another place in the dialplan."""
        await self._command(
            {
                "Action": "Redirect",
                "Channel": channel,
                "Context": context,
                "Exten": exten,
                "Priority": str(priority),
            }
        )

    async def originate(
        self,
        channel: str,
        context: str,
        exten: str,
        *,
        priority: int = 1,
        caller_id: str | None = None,
        timeout_ms: int = 30000,
        variables: Mapping[str, str] | None = None,
    ) -> None:
        """Start a call; always asynchronous (panoramisk needs Async)."""
        fields: dict[str, str | list[str]] = {
            "Action": "Originate",
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "Timeout": str(timeout_ms),
            "Async": "true",
        }
        if caller_id is not None:
            fields["CallerID"] = caller_id
        if variables:
            fields["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        sent = await self.send(fields, as_list=False)
        reply = sent[0] if isinstance(sent, list) else sent
        if not reply.success:
            raise AmiActionError("Originate", str(reply.get("Message", "error")))

    async def db_put(self, family: str, key: str, value: str) -> None:
        """Write one AstDB value."""
        await self._command(
            {"Action": "DBPut", "Family": family, "Key": key, "Val": value}
        )

    async def db_del(self, family: str, key: str) -> None:
        """Delete one AstDB key; a missing key is not an error."""
        await self._command(
            {"Action": "DBDel", "Family": family, "Key": key},
            ok_errors=("Database entry not found",),
        )

    async def db_del_tree(self, family: str, key: str | None = None) -> None:
        """Delete an AstDB family (or a key tree in it); missing is fine."""
        fields = {"Action": "DBDelTree", "Family": family}
        if key:
            fields["Key"] = key
        await self._command(fields, ok_errors=("Database entry not found",))

    async def db_get(self, family: str, key: str) -> str | None:
        """Read one AstDB value, ``None`` if it does not exist."""
        reply = await self.send({"Action": "DBGet", "Family": family, "Key": key})
        messages: list[Message] = reply if isinstance(reply, list) else [reply]
        if not messages[0].success:
            if messages[0].get("Message") == "Database entry not found":
                return None
            raise AmiActionError("DBGet", str(messages[0].get("Message")))
        for message in messages[1:]:
            if message.get("Event") == "DBGetResponse":
                return str(message.get("Val", ""))
        return None

    async def db_get_tree(self, family: str) -> dict[str, str]:
        """Every AstDB key below ``family`` (keys relative to it) and its value.

        Asterisk 18.14 and later; an older one refuses it (``AmiActionError``).
        """
        prefix = f"/{family}/"
        return {
            item["key"].removeprefix(prefix): item.get("val", "")
            for item in _items(
                await self._list({"Action": "DBGetTree", "Family": family}),
                "DBGetTreeResponse",
                "key",
            )
            if item["key"].startswith(prefix)
        }

    async def endpoints(self) -> list[Endpoint]:
        """List PJSIP endpoints with their device state."""
        items = _items(
            await self._list({"Action": "PJSIPShowEndpoints"}),
            "EndpointList",
            "objectname",
        )
        return [
            Endpoint(
                name=item["objectname"],
                device_state=item.get("devicestate", ""),
                dial_string=f"PJSIP/{item['objectname']}",
            )
            for item in items
        ]

    async def active_channels(self) -> list[ActiveChannel]:
        """List the channels that exist now."""
        items = _items(
            await self._list({"Action": "CoreShowChannels"}),
            "CoreShowChannel",
            "channel",
            "uniqueid",
        )
        return [
            ActiveChannel(
                channel=m["channel"],
                uniqueid=m["uniqueid"],
                linkedid=m.get("linkedid", ""),
                state=m.get("channelstatedesc", ""),
                caller_id_number=m.get("calleridnum", ""),
                caller_id_name=m.get("calleridname", ""),
                context=m.get("context", ""),
                extension=m.get("exten", ""),
                application=m.get("application", ""),
                bridge_id=m.get("bridgeid", ""),
            )
            for m in items
        ]

    async def device_states(self) -> dict[str, str]:
        """Map each device (e.g. ``PJSIP/desk1``) to its state."""
        items = _items(
            await self._list({"Action": "DeviceStateList"}),
            "DeviceStateChange",
            "device",
        )
        return {m["device"]: m.get("state", "") for m in items}

    async def device_state(self, device: str) -> str:
        """One device's state (e.g. ``NOT_INUSE``), read with Getvar."""
        reply = await self._command(
            {"Action": "Getvar", "Variable": f"DEVICE_STATE({device})"}
        )
        return str(reply.get("Value", ""))

    async def set_device_state(self, device: str, state: str) -> None:
        """Set a custom device state (``Custom:...``), e.g. ``INUSE``."""
        await self._command(
            {"Action": "Setvar", "Variable": f"DEVICE_STATE({device})", "Value": state}
        )

    async def core_settings(self) -> Mapping[str, str]:
        """Return the PBX's settings (Asterisk version among them)."""
        reply = await self._command({"Action": "CoreSettings"})
        return {k: _first(v) for k, v in reply.items()}
