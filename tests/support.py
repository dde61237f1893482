"""Helpers and small corpora shared by the test modules (imported as `support`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

MATERIEL = Path(sys.executable).parent / "materiel"
# Where the shared eval set and scorer live: /work/shared next to the repository root.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

IRAN_ARTICLE = {
    "id": "iran-drones",
    "title": "Iran to send drones to Russia",
    "published": "2022-10-16",
    "outlet": "Example Wire",
    "url": "https://example.org/iran-drones",
    "text": "Iran agreed to send 6,000 drones to Russia, an unnamed official told the Washington Post.",
}
GERMANY_ARTICLE = {
    "id": "leopards",
    "title": "Tanks for Kyiv",
    "published": "2023-01-25",
    "outlet": "Example Wire",
    "text": "Germany will deliver 14 Leopard 2 tanks to Ukraine, the government said.",
}
FOOTBALL_ARTICLE = {
    "id": "derby",
    "title": "United edge derby in the rain",
    "published": "2023-03-05",
    "outlet": "Example Sport",
    "text": ("Manchester United beat City 2-1 at Old Trafford on Sunday. The striker scored twice in the "
             "second half, and the home fans sang until the final whistle. The manager praised the "
             "defence and said the team would rest key players before the cup tie on Wednesday."),
}
SAMPLE_ARTICLES = (IRAN_ARTICLE, GERMANY_ARTICLE, FOOTBALL_ARTICLE)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.strip()]

    def jsonl(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error ")]

    @property
    def summary(self) -> str:
        """The closing summary line on stderr (the last non-empty line)."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


Cli = Callable[..., CliResult]


# Settings that would change the CLI's behaviour, left out of the environment it runs in.
CLEARED_ENV = ("MATERIEL_DB", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "COLUMNS", "LINES")


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without settings that would change the CLI's behaviour."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(extra)
    return env


def run_cli(*args: object, cwd: Path, input: str | bytes | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> CliResult:
    """Run the installed `materiel` console script in a subprocess (MATERIEL_DB unset unless given)."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    proc = subprocess.run([str(MATERIEL), *map(str, args)], input=data, capture_output=True,
                          env=clean_env(**(env or {})), cwd=cwd, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


EXTRACTING = {"extract", "explain", "ingest", "demo", "eval", "eval-assess", "fetch", "watch", "reextract"}


def invoke_cli(*args: object, cwd: Path, input: str | bytes | None = None,
               env: dict[str, str] | None = None) -> CliResult:
    """Run `materiel ARGS...` in this process with Typer's CliRunner, in `cwd` (restored after), the
    variables in CLEARED_ENV unset unless `env` gives them. Commands that extract get the session's
    shared extractor (the real model), loaded once."""
    from typer.testing import CliRunner

    from materiel.cli import app
    from materiel.extract.extractor import shared_extractor

    words = [str(a) for a in args]
    obj = shared_extractor() if words and words[0] in EXTRACTING else None
    env = {**{name: None for name in CLEARED_ENV}, **(env or {})}  # CliRunner unsets a variable given as None
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, words, input=input, env=env, obj=obj, catch_exceptions=False)
    finally:
        os.chdir(before)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def write_jsonl(path: Path, records: Sequence[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def full_text(article: dict) -> str:
    """What evidence offsets index (ONTOLOGY §7)."""
    title = (article.get("title") or "").strip()
    return f"{title}\n\n{article['text']}" if title else article["text"]


ASSESSMENT_SET = Path(__file__).resolve().parent / "assessments"


def filled(path: Path, results: list):  # -> materiel.store.sqlite.Store
    """A real ledger file holding the given extraction results (no assessment yet)."""
    from materiel.store.sqlite import Store

    store = Store(path)
    for result in results:
        store.add(result)
    return store


def assessed_ledger(path: Path, results: list) -> Path:
    """A real ledger file with the results stored and assessed."""
    from materiel.assess.update import assess

    with filled(path, results) as store:
        assess(store)
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`materiel serve` in its own process on a free localhost port, waited for until it answers."""

    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None):
        import time

        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(MATERIEL), "serve", "--db", str(db), "--port", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Recorded from each page's first script on: every Content-Security-Policy violation, in window.__csp.
CSP_RECORDER = ("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")


def headless_chromium(width: int = 1400, height: int = 1000, record_csp: bool = True):  # -> selenium WebDriver
    """A real headless Chromium driven by chromedriver (the Debian packages chromium and chromium-driver);
    skips the test where they are missing, and fails it in CI, where the browser is part of the contract."""
    import pytest
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        message = (f"the browser tests need Chromium ({CHROMIUM}) and chromedriver ({CHROMEDRIVER}): install the "
                   "Debian packages chromium and chromium-driver (.ci/run does)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    if record_csp:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
    return driver


def copy_ledger(ledger: Path, to: Path) -> Path:
    """A copy of a ledger file made with SQLite's backup (consistent even while it is open elsewhere)."""
    import sqlite3

    with sqlite3.connect(ledger) as source, sqlite3.connect(to) as copy:
        source.backup(copy)
    return to
