"""A fast AMI source on 127.0.0.1 for the benchmarks (run as its own process).

It is the project's test AMI server (tests/ami_server.py: greeting, Login,
an in-memory AstDB for DB*, list replies shaped like Asterisk 22's) plus a
control port that the benchmark drives with one-line commands:

    INFO                      -> {"full": events per cycle, "tracked": ...}
    PREP <cycles> <full|tracked> <state>
                              build the blob: <cycles> replays of the real
                              Asterisk events in tests/fixtures/ami/*.ami
                              (full: every event; tracked: only those the
                              README's manager.conf eventfilter lets through)
                              and one last DeviceStateChange of the sentinel
                              desk (PJSIP/desk<N>) to <state>  -> READY <events>
    GO                        write the blob to every logged-in AMI session
                              -> SENT (once the kernel took it all)
    DROP                      close every AMI session (the PBX went away)
    GET <family/key>          -> the AstDB value, or "-"
    COUNT <prefix>            -> number of AstDB keys under the prefix
    ACTIONS [<name>]          -> how many actions of that name (of any name
                                 without one) were received

    python bench/ami_source.py --port P --control-port C --desks N [--cpu 1]
        [--endpoint-prefix desk]  # endpoints <prefix>1..<prefix>N
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import re
import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import REPO, TRANSCRIPTS, pin
from tests.ami_server import AmiTestServer, encode, transcript_events

MANAGER_CONF = REPO / "tests" / "e2e" / "asterisk_conf" / "manager.conf"


def eventfilter_names() -> frozenset[str]:
    """Event names the recommended eventfilter lines let through."""
    text = MANAGER_CONF.read_text(encoding="utf-8")
    return frozenset(
        re.findall(
            r"^eventfilter\(action\(include\),name\((\w+)\)\)", text, re.MULTILINE
        )
    )


def cycle_events(mode: str) -> list[dict[str, str]]:
    """One replay of every recorded session, in file order."""
    events: list[dict[str, str]] = []
    for path in sorted(TRANSCRIPTS.glob("*.ami")):
        events.extend(transcript_events(path.name))
    if mode == "tracked":
        names = eventfilter_names()
        events = [e for e in events if e.get("Event") in names]
    return events


class Source:
    """The AMI server and its control port."""

    def __init__(self, desks: int, prefix: str = "desk") -> None:
        self.desks = desks
        self.server = AmiTestServer(
            endpoints=[f"{prefix}{i}" for i in range(1, desks + 1)],
            device_states={
                f"PJSIP/{prefix}{i}": "NOT_INUSE" for i in range(1, desks + 1)
            },
        )
        self.cycles = {
            mode: b"".join(encode(e) for e in cycle_events(mode))
            for mode in ("full", "tracked")
        }
        self.counts = {mode: len(cycle_events(mode)) for mode in ("full", "tracked")}
        self.blob = b""

    async def control(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while line := await reader.readline():
            words = line.decode().split()
            if not words:
                continue
            reply = await self.command(words[0].upper(), words[1:])
            writer.write((reply + "\n").encode())
            await writer.drain()
        writer.close()

    async def command(self, name: str, args: list[str]) -> str:  # noqa: PLR0911
        server = self.server
        if name == "INFO":
            return json.dumps(self.counts)
        if name == "PREP":
            cycles, mode, state = int(args[0]), args[1], args[2]
            sentinel = encode(
                {
                    "Event": "DeviceStateChange",
                    "Privilege": "call,all",
                    "Device": f"PJSIP/desk{self.desks}",
                    "State": state,
                }
            )
            self.blob = self.cycles[mode] * cycles + sentinel
            return f"READY {self.counts[mode] * cycles + 1}"
        if name == "GO":
            writers = [s.writer for s in server._sessions if s.logged_in]
            for writer in writers:
                writer.write(self.blob)
            for writer in writers:
                await writer.drain()
            return "SENT"
        if name == "DROP":
            server.drop_connections()
            return "DROPPED"
        if name == "GET":
            return server.astdb.get(args[0], "-")
        if name == "COUNT":
            prefix = args[0] if args else ""
            return str(sum(1 for k in server.astdb if k.startswith(prefix)))
        if name == "ACTIONS":
            if not args:
                return str(len(server.actions))
            return str(len(server.actions_named(args[0])))
        if name == "LOGINS":
            return str(server.logins)
        return "ERROR unknown command"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--desks", type=int, default=4)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--endpoint-prefix", default="desk")
    args = parser.parse_args()
    pin(args.cpu)
    source = Source(args.desks, args.endpoint_prefix)
    source.server.port = args.port
    await source.server.start()
    control = await asyncio.start_server(source.control, "127.0.0.1", args.control_port)
    print(f"LISTENING {source.server.port} {args.control_port}", flush=True)
    async with control:
        await control.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
