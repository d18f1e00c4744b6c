"""The acceptance case of issue 2: `khabar read examples/seeds --json` on the two seed articles."""

from __future__ import annotations

import json

import pytest

from khabar.cli import main


@pytest.fixture(scope="module")
def seeds(seeds_dir) -> dict[str, dict]:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        status = main(["read", str(seeds_dir), "--json"])
    assert status == 0
    records = [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]
    assert len(records) == 2
    return {r["origin"].rsplit("/", 1)[-1][:3]: r for r in records}


def test_schema(seeds):
    for rec in seeds.values():
        for key in ("id", "url", "outlet", "agency", "title", "published", "lang", "sentences", "entities",
                    "dates", "quotes"):
            assert key in rec
        assert rec["lang"] == "ar"
        assert all(isinstance(s, str) and s for s in rec["sentences"])


def test_sputnik_reprint_dateline(seeds):
    rec = seeds["001"]
    assert rec["outlet"] == "Pakistan Point News"
    assert rec["agency"] == "Sputnik"
    assert rec["published"].startswith("2020-10-10")
    assert "2020-09-27" in {d["date"] for d in rec["dates"]}
    assert rec["title"].startswith("روحاني يؤكد")


def test_mehr_attribution_and_jalali_quote(seeds):
    rec = seeds["000"]
    speakers = " | ".join(q["speaker"] for q in rec["quotes"])
    assert "مهر" in speakers
    assert "جلالي" in speakers


@pytest.mark.parametrize("seed", ["000", "001"])
def test_places_and_people(seeds, seed):
    keys = {e["key"] for e in seeds[seed]["entities"]}
    assert {"loc:RU", "loc:IR", "loc:AZ", "loc:AM", "loc:karabakh"} <= keys
    people = {e["key"] for e in seeds[seed]["entities"] if e["kind"] == "PERS"}
    assert any("بوتين" in k for k in people)
    assert any("روحاني" in k for k in people)
