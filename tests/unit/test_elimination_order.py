"""The preference check of an elimination loop (pqscan.collect.tls.elimination._OrderCheck): started beside
the loop as soon as two picks follow our offer, used only when every pick does. The real loops against
servers of either preference are in tests/integration/test_tls_groups.py and test_tls_warm.py."""

from __future__ import annotations

import asyncio

from pqscan.collect.tls import elimination as el
from pqscan.collect.tls import probes as pr

OFFER = (0x0018, 0x0017, 0x001D, 0x11EC)


def _elimination(codes: list[int]) -> el.Elimination:
    picks = tuple(el.Pick(c, True, "") for c in codes)
    return el.Elimination("TLS1.3", pr.Exchange(), picks, True, True, "refused", len(codes) + 1)


def _client_order_server() -> tuple[list[list[int]], el.PickOf]:
    asked: list[list[int]] = []

    async def pick_of(codes: list[int]) -> int | None:
        asked.append(list(codes))
        await asyncio.sleep(0.01)
        return codes[0]  # the client's first choice

    return asked, pick_of


def test_the_check_starts_after_the_second_pick_that_follows_the_offer() -> None:
    asked, pick_of = _client_order_server()

    async def run() -> el.Elimination:
        check = el._OrderCheck(OFFER, pick_of)
        picks = [el.Pick(0x0018, True, "")]
        check.picked(picks)
        await asyncio.sleep(0)
        assert asked == []  # one pick proves nothing
        picks.append(el.Pick(0x0017, True, ""))
        check.picked(picks)
        await asyncio.sleep(0)
        assert asked == [[0x0017, 0x0018]]  # the top two reversed, while the loop goes on
        picks.append(el.Pick(0x001D, True, ""))
        check.picked(picks)
        return await check.result(_elimination([0x0018, 0x0017, 0x001D]))

    result = asyncio.run(run())
    assert result.server_order is False
    assert result.connections == 5  # four loop steps and the check
    assert asked == [[0x0017, 0x0018]]  # asked once


def test_picks_out_of_our_order_prove_the_servers_and_the_early_check_is_dropped() -> None:
    asked, pick_of = _client_order_server()

    async def run() -> tuple[el.Elimination, el._OrderCheck]:
        check = el._OrderCheck(OFFER, pick_of)
        picks = [el.Pick(0x0017, True, ""), el.Pick(0x001D, True, "")]
        check.picked(picks)
        await asyncio.sleep(0)
        picks.append(el.Pick(0x0018, True, ""))  # offered before both: the server's own order
        check.picked(picks)
        out = await check.result(_elimination([0x0017, 0x001D, 0x0018]))
        check.cancel()
        await asyncio.sleep(0)
        return out, check

    result, check = asyncio.run(run())
    assert result.server_order is True
    assert result.connections == 5  # the check's connection was opened: counted
    assert check.task is not None and check.task.cancelled()


def test_two_picks_in_the_servers_order_start_no_check() -> None:
    asked, pick_of = _client_order_server()

    async def run() -> el.Elimination:
        check = el._OrderCheck(OFFER, pick_of)
        check.picked([el.Pick(0x001D, True, ""), el.Pick(0x0018, True, "")])
        await asyncio.sleep(0)
        return await check.result(_elimination([0x001D, 0x0018]))

    result = asyncio.run(run())
    assert result.server_order is True and asked == [] and result.connections == 3


def test_a_loop_that_ends_with_two_picks_in_our_order_still_gets_its_answer() -> None:
    asked, pick_of = _client_order_server()

    async def run() -> el.Elimination:
        check = el._OrderCheck(OFFER, pick_of)
        check.picked([el.Pick(0x0017, True, ""), el.Pick(0x001D, True, "")])
        return await check.result(_elimination([0x0017, 0x001D]))

    result = asyncio.run(run())
    assert result.server_order is False and asked == [[0x001D, 0x0017]]
