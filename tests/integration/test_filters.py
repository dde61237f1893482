"""Filters that forgive and are strict (issue 10, item 1): the CLI (in-process), the REST API (a real
server) and the Python API read a party, an item, a type, a status and a date the same way, on a real
ledger of the 44 cross-article reports; a value that means nothing is an error saying what was meant,
never a silent empty table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from support import Server




def rows(invoke, ledger: Path, *args: object) -> list[dict[str, str]]:
    run = invoke(*args, "--db", ledger, "--format", "csv")
    assert run.returncode == 0, run.stderr
    return list(csv.DictReader(io.StringIO(run.stdout)))


def refused(invoke, ledger: Path, *args: object) -> str:
    """The one error line of a command that must exit 2."""
    run = invoke(*args, "--db", ledger)
    assert run.returncode == 2, (run.returncode, run.stdout[:300])
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error "), run.stderr
    return lines[0]


@pytest.mark.parametrize("word", ["Iran", "irn", "IR", "Iranian", "Tehran"])
def test_events_provider_by_name_code_demonym_or_capital(invoke, ledger, word):
    """`events --provider Iran` and `--provider irn` printed an empty table and exited 0."""
    found = rows(invoke, ledger, "events", "--provider", word)
    assert len(found) > 10 and {r["provider"] for r in found} == {"IRN"}


def test_ledger_between_names(invoke, ledger):
    """`ledger --between Iran Russia` printed an empty table."""
    by_name = rows(invoke, ledger, "ledger", "--between", "Iran", "Russia")
    assert by_name and all({r["provider"], r["recipient"]} == {"IRN", "RUS"} for r in by_name)
    assert [r["id"] for r in by_name] == [r["id"] for r in rows(invoke, ledger, "ledger", "--between", "RUS", "IRN")]


def test_type_plural_and_any_case(invoke, ledger):
    """`--type transfers` printed an empty table."""
    plural = rows(invoke, ledger, "ledger", "--type", "transfers")
    assert plural and {r["type"] for r in plural} == {"transfer"}
    assert plural == rows(invoke, ledger, "ledger", "--type", "Transfer")


def test_misspelt_status_says_what_was_meant(invoke, ledger):
    """`--status deliverd` printed an empty table and exited 0."""
    line = refused(invoke, ledger, "ledger", "--status", "deliverd")
    assert "did you mean delivered?" in line
    assert "did you mean delivered?" in refused(invoke, ledger, "events", "--status", "deliverd")


def test_unknown_party_says_what_was_meant(invoke, ledger):
    line = refused(invoke, ledger, "events", "--provider", "Iranq")
    assert "did you mean" in line and "Iran (IRN)" in line
    assert rows(invoke, ledger, "ledger", "--provider", "Iceland") == []  # known, but not in the ledger


@pytest.mark.parametrize("command", ["events", "ledger", "export"])
@pytest.mark.parametrize("value, said", [("yesterday", "not a date"),
                                         ("2024/01/01", "did you mean 2024-01-01?"),
                                         ("2024-13-01", "no day of the calendar")])
def test_dates_are_iso_or_an_error(invoke, ledger, command, value, said):
    """`--since yesterday` printed an empty table; `--since 2024/01/01` was compared as text."""
    extra = ("--format", "csv") if command == "export" else ()
    run = invoke(command, "--since", value, "--db", ledger, *extra)
    assert run.returncode == 2 and said in run.stderr and run.stderr.startswith("error ")


def test_year_and_month_are_the_periods_bounds(invoke, ledger):
    whole = rows(invoke, ledger, "events", "--since", "2024-01-01", "--until", "2024-12-31")
    assert whole and whole == rows(invoke, ledger, "events", "--since", "2024", "--until", "2024")
    assert all(r["published"].startswith("2024") for r in whole)


def test_item_alias_finds_the_catalogued_system(invoke, ledger):
    """`--item Geran-2` found nothing although the alias resolves at extraction."""
    found = rows(invoke, ledger, "events", "--item", "Geran-2")
    assert found and {r["system"] for r in found} == {"Shahed-136"}
    assert rows(invoke, ledger, "ledger", "--item", "Geran-2")


def test_ledger_and_events_select_the_same_by_item(invoke, ledger):
    """`ledger --item drone` found 0 flows where `events --item drone` found 12 events."""
    flows = rows(invoke, ledger, "ledger", "--item", "drone")
    events = rows(invoke, ledger, "events", "--item", "drone")
    assert flows and events
    assert sum(int(f["events"]) for f in flows) == len(events)
    assert {r["category"] for r in flows} == {r["category"] for r in events} == {"uav"}


def test_item_category_in_any_case(invoke, ledger):
    """`uav` and `UAV` gave different answers."""
    for command in ("events", "ledger"):
        lower = rows(invoke, ledger, command, "--item", "uav")
        assert lower and lower == rows(invoke, ledger, command, "--item", "UAV") \
            == rows(invoke, ledger, command, "--item", "drones")


def test_show_with_a_short_prefix_says_so(invoke, ledger):
    line = refused(invoke, ledger, "show", "abcd")
    assert "too short" in line and "6 characters" in line


def test_help_says_what_a_party_may_be(invoke):
    run = invoke("ledger", "--help")
    assert run.returncode == 0 and "demonym" in run.stdout and "Tehran" in run.stdout


# --- the REST API: the same inputs, the same answers, the same messages ----------------------------

def api(server: Server, path: str, **params) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


def test_api_reads_parties_like_the_cli(server, invoke, ledger):
    by_name = api(server, "/api/assessments", between="Iran,Russia", limit=500).json()["items"]
    assert [r["id"] for r in by_name] == [r["id"] for r in rows(invoke, ledger, "ledger", "--between", "Iran", "Russia")]
    events = api(server, "/api/events", provider="irn", limit=500).json()
    assert events["total"] == len(rows(invoke, ledger, "events", "--provider", "Iran"))
    pair = api(server, "/api/events", provider="Tehran", recipient="russia", limit=500).json()
    assert 0 < pair["total"] == len(rows(invoke, ledger, "events", "--provider", "IR", "--recipient", "RUS"))


@pytest.mark.parametrize("path, params", [
    ("/api/assessments", {"type": "transfers"}),
    ("/api/events", {"type": "Transfer"}),
    ("/api/events", {"item": "UAV"}),
    ("/api/assessments", {"item": "drone"}),
    ("/api/assessments", {"since": "2024"}),
])
def test_api_accepts_what_the_cli_accepts(server, path, params):
    response = api(server, path, **params)
    assert response.status_code == 200 and response.json()["total"] > 0


@pytest.mark.parametrize("path, params, cli_args", [
    ("/api/assessments", {"status": "deliverd"}, ("ledger", "--status", "deliverd")),
    ("/api/events", {"status": "deliverd"}, ("events", "--status", "deliverd")),
    ("/api/assessments", {"since": "yesterday"}, ("ledger", "--since", "yesterday")),
    ("/api/events", {"since": "2024/01/01"}, ("events", "--since", "2024/01/01")),
    ("/api/assessments", {"provider": "Iranq"}, ("ledger", "--provider", "Iranq")),
])
def test_api_refuses_with_the_cli_message(server, invoke, ledger, path, params, cli_args):
    response = api(server, path, **params)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert refused(invoke, ledger, *cli_args) == f"error {message}"
    assert "did you mean" in message or "not a date" in message


def test_python_api_reads_and_refuses_the_same(ledger):
    import materiel
    from materiel.errors import MaterielError

    with materiel.open(ledger) as book:
        assert [a.id for a in book.assessments(between=("Iran", "russia"))] \
            == [a.id for a in book.assessments(between=("IRN", "RUS"))] != []
        assert book.events(item="Geran-2")
        with pytest.raises(MaterielError, match="did you mean delivered"):
            book.ledger(status="deliverd")
        with pytest.raises(MaterielError, match="too short"):
            book.assessment("abcd")


def test_api_and_page_refuse_a_short_assessment_id_as_show_does(server, invoke, ledger):
    """`GET /api/assessments/abcd` answered 404 'no assessment' where `show abcd` says the prefix is too short."""
    response = api(server, "/api/assessments/abcd")
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert refused(invoke, ledger, "show", "abcd") == f"error {message}"
    page = httpx.get(f"{server.url}/assessments/abcd", timeout=30)
    assert page.status_code == 422 and "too short" in page.text
