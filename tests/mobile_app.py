"""Companion apps for tests: a recording push endpoint and HA's real registration."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web


class PushServer:
    """Stands in for the companion apps' push relay; records every push."""

    def __init__(self) -> None:
        self.pushes: list[dict[str, Any]] = []
        self.arrived = asyncio.Condition()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/push", self._push)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/push"

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self.arrived:
            self.pushes.append(body)
            self.arrived.notify_all()
        return web.json_response({"ok": True}, status=201)

    async def wait(self, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(5), self.arrived:
            await self.arrived.wait_for(lambda: len(self.pushes) >= count)
        return self.pushes

    def to(self, webhook_id: str) -> list[dict[str, Any]]:
        return [
            p for p in self.pushes if p["registration_info"]["webhook_id"] == webhook_id
        ]


async def register(client: Any, name: str, model: str, push_url: str) -> str:
    response = await client.post(
        "/api/mobile_app/registrations",
        json={
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2025.4.0",
            "device_name": name,
            "manufacturer": "Google",
            "model": model,
            "os_name": "Android",
            "os_version": "14",
            "supports_encryption": False,
            "app_data": {"push_token": f"token-{name}", "push_url": push_url},
        },
    )
    assert response.status == 201
    return str((await response.json())["webhook_id"])


async def register_apps(
    hass: Any, hass_client: Any, push_url: str, names: list[tuple[str, str]]
) -> dict[str, Any]:
    """Register companion apps ``(device name, model)``; return client and webhook ids."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    # Everything that registers HTTP views must be up before the client starts.
    assert await async_setup_component(hass, "mobile_app", {})
    assert await async_setup_component(hass, "notify", {})
    client = await hass_client()
    webhooks = {
        name: await register(client, name, model, push_url) for name, model in names
    }
    await hass.async_block_till_done()
    return {"client": client, **webhooks}
