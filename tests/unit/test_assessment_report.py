"""The assessment report: target text is shown literally, never interpreted as rich markup."""

from __future__ import annotations

import datetime
import json

from pqscan.assess.engine import assess
from pqscan.assess.profiles import load_profiles
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind, Evidence, Finding, Usage
from pqscan.report.assessment import render_json, render_table

EVIL = "[bold magenta]CN=evil[/bold magenta][link=https://x.invalid]y[/link]"


def evil_inventory() -> Inventory:
    inv = Inventory()
    inv.add_asset(Asset("cert:sha256:ee", AssetKind.CERTIFICATE, "h:443", EVIL[:30], {"subject": EVIL}))
    inv.add_finding(Finding("cert:sha256:ee", "unknown", Usage.SIGNATURE, "test",
                            {"raw_identifier": "[red]1.2.3[/red]"}, Evidence("[b]h[/b]:443", detail=EVIL)))
    return inv


def test_target_text_is_not_interpreted_as_markup_in_a_colour_terminal() -> None:
    inv = evil_inventory()
    text = render_table(inv, assess(inv, load_profiles([]), today=datetime.date(2026, 11, 25)), width=400, color=True)
    assert "[red]1.2.3[/red]" in text
    assert "[b]h[/b]:443" in text
    assert "\x1b]8;" not in text  # no terminal hyperlink was created from target text


def test_json_report_keeps_target_text_verbatim() -> None:
    inv = evil_inventory()
    doc = json.loads(render_json(inv, assess(inv, load_profiles([]), today=datetime.date(2026, 11, 25))))
    (finding,) = doc["findings"]
    assert finding["evidence"]["detail"] == EVIL
    assert "[red]1.2.3[/red]" in finding["worst"]["reason"]
