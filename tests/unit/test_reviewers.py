"""The reviewers file (`serve --reviewers FILE`): one 'NAME TOKEN' line per reviewer, and which token
writes under which name."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from materiel.errors import MaterielError
from materiel.web.security import OPERATOR, read_reviewers, writer_name, writers_for

ALICE = "alice-token-0123456789abcdef"
BOB = "Bob7-token-Fedcba9876543210xyz"
STRONG = "kq3Zt9vWx2LmPa8RbN5c"


def reviewers_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "reviewers.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_names_with_spaces_comments_and_blank_lines(tmp_path):
    path = reviewers_file(tmp_path, f"# the team\n\nAlice   Analyst {ALICE}\n  # indented comment\nBob Q.\tReviewer\t{BOB}\n")
    assert read_reviewers(path) == {ALICE: "Alice Analyst", BOB: "Bob Q. Reviewer"}


def test_a_tab_before_the_token_after_a_name_with_spaces(tmp_path):
    """'Bob  Reviewer<TAB>TOKEN' once gave the token 'Reviewer<TAB>TOKEN' (split at the last space only)."""
    path = reviewers_file(tmp_path, f"Bob  Reviewer\t{BOB}\n")
    assert read_reviewers(path) == {BOB: "Bob Reviewer"}


@pytest.mark.parametrize("text, fragment", [
    (f"Alice {ALICE}\nBob {ALICE}\n", ":2: Bob has the same token as Alice"),
    (f"Alice {ALICE}\nBob short-token\n", ":2: the token of Bob has fewer than 16 characters"),
    (f"Alice {ALICE}\n{BOB}\n", ":2: a reviewers file has one line per reviewer"),
    ("# nobody yet\n\n", "names no reviewer"),
    ("", "names no reviewer"),
])
def test_bad_files_are_refused_naming_the_line(tmp_path, text, fragment):
    path = reviewers_file(tmp_path, text)
    with pytest.raises(MaterielError) as refused:
        read_reviewers(path)
    assert fragment in str(refused.value) and (":" not in fragment[:1] or path in str(refused.value))


def test_an_unreadable_file_is_refused(tmp_path):
    with pytest.raises(MaterielError, match="cannot read the reviewers file"):
        read_reviewers(str(tmp_path / "missing.txt"))


def test_weak_tokens_are_refused_beyond_loopback_only():
    weak = {"aaaaaaaaaaaaaaaaaaaa": "Alice"}
    assert writers_for("127.0.0.1", None, True, weak) == weak  # loopback: no operator token invented either
    with pytest.raises(MaterielError, match="the token of Alice is weak"):
        writers_for("0.0.0.0", None, True, weak)
    assert writers_for("0.0.0.0", None, True, {STRONG: "Alice"}) == {STRONG: "Alice"}


def test_the_operator_token_writes_as_operator_beside_the_reviewers():
    writers = writers_for("127.0.0.1", "operator-token-0123456789", True, {ALICE: "Alice"})
    assert writers == {ALICE: "Alice", "operator-token-0123456789": OPERATOR}
    assert writer_name(writers, ALICE) == "Alice" and writer_name(writers, "operator-token-0123456789") == OPERATOR
    assert writer_name(writers, "nobody-0123456789abcdef") is None and writer_name(writers, None) is None
    assert writers_for("127.0.0.1", None, False, {ALICE: "Alice"}) == {}  # read-only: nobody writes


def test_serve_names_the_reviewers_and_records_their_names(tmp_path, results):
    """A real `materiel serve --reviewers FILE`: the banner lists names, never tokens; a reviewer's token
    and the operator's (MATERIEL_TOKEN) each write under their own name."""
    from support import MATERIEL, assessed_ledger, free_port

    db = assessed_ledger(tmp_path / "ledger.db", [r for r in results if r.events][:3])
    path = reviewers_file(tmp_path, f"Alice Analyst {ALICE}\nBob Reviewer {BOB}\n")
    port = free_port()
    operator = "operator-token-0123456789abcdef"
    proc = subprocess.Popen([str(MATERIEL), "serve", "--db", str(db), "--port", str(port), "--reviewers", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "MATERIEL_TOKEN": operator})
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline() + proc.stderr.readline()
        assert "writable" in banner and "reviewers: Alice Analyst, Bob Reviewer" in banner, banner
        assert ALICE not in banner and BOB not in banner and operator not in banner
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        events = httpx.get(url + "/api/reviews/queue", params={"limit": 2}, timeout=30).json()["items"]
        for event, token, name in zip(events, (BOB, operator), ("Bob Reviewer", OPERATOR)):
            made = httpx.post(f"{url}/api/events/{event['event_id']}/confirm", timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
            assert made.status_code == 200 and made.json()["review"]["reviewer"] == name, made.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_operator_token_may_not_be_a_reviewers_token():
    """The operator's token equal to a reviewer's once made that reviewer's decisions the operator's."""
    with pytest.raises(MaterielError, match="is the token of Alice in the reviewers file"):
        writers_for("127.0.0.1", ALICE, True, {ALICE: "Alice"})
