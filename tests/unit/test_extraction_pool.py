"""The web server's extraction pool: bounded, and fair to clients without the write token."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi import HTTPException

from materiel.web.work import Extractions


def _slow(release: threading.Event):
    def work(stop: threading.Event) -> str:
        release.wait(5)
        return "done"
    return work


def test_a_client_without_the_token_gets_one_extraction_at_a_time() -> None:
    async def scenario() -> tuple[int, str, str]:
        pool = Extractions(workers=2, waiting=2, seconds=10)
        release = threading.Event()
        first = asyncio.ensure_future(pool.run(_slow(release), "10.0.0.7"))
        await asyncio.sleep(0.1)
        with pytest.raises(HTTPException) as second:
            await pool.run(_slow(release), "10.0.0.7")
        other = asyncio.ensure_future(pool.run(_slow(release), "10.0.0.8"))  # another client is served
        await asyncio.sleep(0.1)
        release.set()
        done = await first, await other
        again = await pool.run(lambda stop: "again", "10.0.0.7")  # its first is over: served again
        return second.value.status_code, done[1], again

    status, other, again = asyncio.run(scenario())
    assert status == 429 and other == "done" and again == "again"


def test_with_the_token_a_client_is_only_bounded_by_the_pool() -> None:
    async def scenario() -> list[str]:
        pool = Extractions(workers=1, waiting=2, seconds=10)
        release = threading.Event()
        runs = [asyncio.ensure_future(pool.run(_slow(release))) for _ in range(3)]
        await asyncio.sleep(0.1)
        with pytest.raises(HTTPException) as beyond:
            await pool.run(_slow(release))
        assert beyond.value.status_code == 503
        release.set()
        return list(await asyncio.gather(*runs))

    assert asyncio.run(scenario()) == ["done"] * 3
