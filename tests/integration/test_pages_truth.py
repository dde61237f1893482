"""Pages that tell the truth, checked in a real headless Chromium against a real server over the
dev ledger (issue 10): network arrows from provider to recipient read back from the drawn chart,
labels apart, every type in the legend; /docs offline under its policy; party suggestions; search
that filters the ledger; no page wider than a 400 px screen; 'outlet unknown'; one ingest path.
With MATERIEL_SHOTS set, every page is photographed at 1400 and 400 px into that folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from materiel import service
from materiel.assess.update import assess
from materiel.extract.extractor import shared_extractor
from materiel.store.sqlite import Store
from support import Server

DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "dev" / "articles.jsonl"
TOKEN = "truth-test-token-0123456789"
EVENT_TYPES = ("transfer", "payment", "training", "production", "cooperation")
NO_OUTLET = {"id": "no-outlet-1", "title": "Belarus hands Mi-24 helicopters to Mali", "published": "2024-03-04",
             "text": "Belarus has delivered four Mi-24 helicopters to Mali, the Malian army said on Monday."}
SHOTS = os.environ.get("MATERIEL_SHOTS")


@pytest.fixture(scope="module")
def dev_ledger(tmp_path_factory) -> Path:
    if not DEV.exists():
        pytest.skip(f"the dev set {DEV} is not here")
    folder = tmp_path_factory.mktemp("truth")
    db, extra = folder / "dev.db", folder / "no-outlet.jsonl"
    extra.write_text(json.dumps(NO_OUTLET) + "\n")
    with Store(db) as store:
        service.ingest_into(store, [str(DEV), str(extra)], service.RunSummary(), extractor=shared_extractor())
        assess(store)
    return db


@pytest.fixture(scope="module")
def site(dev_ledger):
    server = Server(dev_ledger, env={"MATERIEL_TOKEN": TOKEN})
    yield server
    server.stop()


def load(driver, url: str, width: int = 1400) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def drawn_network(driver) -> dict:
    """What the browser drew: each party's centre in pixels (by its name), each arrow as the pixel
    points it runs from and to with its hover text, and the visible node labels' boxes.
    Arrows are read both as Plotly annotations and as triangle markers (whose head points the way
    its symbol and angle say), so the check does not depend on how the page draws them."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "var g = document.getElementById('network'); return !!(g && g._fullLayout && g.querySelector('.main-svg'));"))
    driver.execute_script("return new Promise(r => setTimeout(r, 300));")  # the labels' placement pass
    return driver.execute_script("""
      var g = document.getElementById('network'), L = g._fullLayout, s = L._size;
      function px(x, y) { return [s.l + L.xaxis.l2p(x), s.t + L.yaxis.l2p(y)]; }
      var nodes = {}, arrows = [];
      g.data.forEach(function (t) {
        if (t.name === 'parties') {
          t.x.forEach(function (x, i) { nodes[t.hovertext[i].split(':')[0]] = px(x, t.y[i]); });
          return;
        }
        var symbol = t.marker && t.marker.symbol;
        if (typeof symbol === 'string' && symbol.indexOf('triangle') === 0) {
          var base = {'triangle-right': 0, 'triangle-up': -90, 'triangle-left': 180, 'triangle-down': 90}[symbol];
          t.x.forEach(function (x, i) {
            var a = (base + ((t.marker.angle && t.marker.angle[i]) || t.marker.angle || 0)) * Math.PI / 180;
            var head = px(x, t.y[i]);
            arrows.push({from: [head[0] - Math.cos(a), head[1] - Math.sin(a)], to: head, text: t.hovertext[i]});
          });
        }
      });
      (L.annotations || []).forEach(function (a) {
        if (a.showarrow && a.axref === 'x') { arrows.push({from: px(a.ax, a.ay), to: px(a.x, a.y), text: a.hovertext}); }
      });
      var labels = Array.from(g.querySelectorAll('.scatterlayer .textpoint text')).filter(function (t) {
        return t.textContent.trim() !== '';
      }).map(function (t) { var r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; });
      var legend = Array.from(g.querySelectorAll('.legend .legendtext')).map(function (t) { return t.textContent; });
      return {nodes: nodes, arrows: arrows, labels: labels, legend: legend};
    """)


def test_network_arrows_point_from_provider_to_recipient(site, browser):
    load(browser, site.url + "/network")
    drawn = drawn_network(browser)
    assert len(drawn["nodes"]) > 5 and len(drawn["arrows"]) > 5
    westward = 0
    for arrow in drawn["arrows"]:
        pair = arrow["text"].rsplit(":", 1)[0]
        provider, recipient = pair.split(" → ")
        if provider == recipient:
            continue
        (px, py), (rx, ry) = drawn["nodes"][provider], drawn["nodes"][recipient]
        dx, dy = arrow["to"][0] - arrow["from"][0], arrow["to"][1] - arrow["from"][1]
        # the arrow's direction agrees with provider → recipient (a positive cosine, well above 0)
        cosine = (dx * (rx - px) + dy * (ry - py)) / ((dx * dx + dy * dy) ** 0.5 * ((rx - px) ** 2 + (ry - py) ** 2) ** 0.5)
        assert cosine > 0.9, f"the arrow of {pair} points the wrong way"
        westward += rx < px
    assert westward, "the dev ledger must draw at least one westward flow for this check to mean something"


def test_network_labels_do_not_overlap(site, browser):
    for width in (1400, 400):
        load(browser, site.url + "/network", width)
        labels = drawn_network(browser)["labels"]
        assert len(labels) >= 5
        clashes = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[i + 1:]
                   if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
        assert not clashes, f"labels overlap at {width} px: {clashes}"


def test_network_legend_shows_every_type(site, browser):
    load(browser, site.url + "/network")
    legend = drawn_network(browser)["legend"]
    for kind in EVENT_TYPES:
        assert any(entry.split(" ")[0] == kind for entry in legend), f"{kind} missing from the legend {legend}"


def test_docs_work_offline_under_the_policy(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    load(browser, site.url + "/docs")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-path='/api/assessments']"))
    assert browser.execute_script("return window.__csp") == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(site.url) for r in resources), resources
    assert httpx.get(site.url + "/redoc").status_code == 404  # no page that would need a CDN
    policy = httpx.get(site.url + "/").headers["content-security-policy"]
    assert "script-src 'self';" in policy  # the other pages keep the strict policy


def test_party_inputs_suggest_the_ledgers_parties(site, browser):
    from selenium.webdriver.common.by import By

    for page in ("/", "/network"):
        load(browser, site.url + page)
        for name in ("provider", "recipient", "party"):
            assert browser.find_element(By.NAME, name).get_attribute("list") == "parties"
        options = {o.get_attribute("value"): o.get_attribute("textContent")
                   for o in browser.find_elements(By.CSS_SELECTOR, "datalist#parties option")}
        assert options.get("Iran") == "IRN" and options.get("IRN") == "Iran", page
        assert "Hezbollah" in options or "Houthis" in options or any(v.startswith("org:") for v in options)


def test_search_filters_the_ledger_below(site, browser):
    from selenium.webdriver.common.by import By

    load(browser, site.url + "/")
    everything = len(browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr a.dossier-link"))
    load(browser, site.url + "/?q=Mi-24+Mali")
    hits = {a.get_attribute("href").rsplit("/", 1)[1] for a in browser.find_elements(By.CSS_SELECTOR, ".hits a.article-link")}
    shown = [a.get_attribute("href").rsplit("/", 1)[1]
             for a in browser.find_elements(By.CSS_SELECTOR, "#ledger tbody tr a.dossier-link")]
    assert hits and shown and len(shown) < everything
    for assessment in shown:  # each flow shown is reported by an article found, and only such flows
        articles = {c["article_hash"] for c in httpx.get(f"{site.url}/api/assessments/{assessment}").json()["claims"]}
        assert articles & hits, assessment


def test_outlet_unknown_rather_than_none(site, browser):
    from selenium.webdriver.common.by import By

    load(browser, site.url + "/?q=Mi-24+Mali")
    browser.find_element(By.CSS_SELECTOR, "#ledger a.dossier-link").click()
    text = browser.find_element(By.CSS_SELECTOR, "main").text
    assert "outlet unknown" in text and "0 outlet" not in text


def pages(site) -> dict[str, str]:
    first = httpx.get(site.url + "/api/assessments?limit=1").json()["items"][0]["id"]
    article = httpx.get(site.url + "/api/articles?limit=1").json()["items"][0]["article_hash"]
    return {"ledger": "/", "search": "/?q=drones", "dossier": f"/assessments/{first}", "article": f"/articles/{article}",
            "network": "/network", "ingest": "/ingest", "docs": "/docs", "error": "/assessments/nosuchthing",
            "review": "/review"}


def test_no_page_is_wider_than_a_narrow_screen(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wide = []
    for width in (1400, 400):
        for name, path in pages(site).items():
            load(browser, site.url + path, width)
            if name == "docs":
                WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"))
            if name == "network":
                drawn_network(browser)
            scroll, inner = browser.execute_script(
                "return [document.scrollingElement.scrollWidth, window.innerWidth]")
            if width == 400 and scroll > inner:
                wide.append(f"{name} ({scroll} px)")
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                height = browser.execute_script("return document.scrollingElement.scrollHeight")
                browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                    "width": width, "height": min(height, 4000), "deviceScaleFactor": 1, "mobile": False})
                browser.save_screenshot(str(Path(SHOTS) / f"{name}-{width}.png"))
    assert not wide, f"wider than a 400 px screen: {wide}"


def test_api_ingest_goes_the_cli_way(tmp_path, results):
    """The API stores through the CLI's function: an article already in the ledger is not read again,
    and the answer says so, as `materiel ingest` does."""
    db = tmp_path / "ledger.db"
    article = {"id": "a1", "title": "Iran sends drones", "text": "Iran has delivered 300 Shahed-136 drones to Russia, "
               "U.S. officials said.", "outlet": "Reuters", "published": "2024-05-02"}
    (tmp_path / "a.jsonl").write_text(json.dumps(article) + "\n")
    with Store(db) as store:
        service.ingest_into(store, [str(tmp_path / "a.jsonl")], service.RunSummary(), extractor=shared_extractor())
    server = Server(db, env={"MATERIEL_TOKEN": TOKEN})
    try:
        answer = httpx.post(server.url + "/api/ingest", json={"articles": [article]},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120).json()
    finally:
        server.stop()
    assert answer["already_in_ledger"] == 1 and answer["stored"] == 0 and answer["results"] == []


def test_party_labels_have_one_source():
    from materiel.exports import party_label
    from materiel.knowledge.base import load_knowledge

    kb = load_knowledge()
    for code in ("IRN", "RUS", "org:hezbollah", "org:houthis", "unknown", "XXX"):
        assert kb.party_label(code) == party_label(code), code
    assert kb.party_label("unknown") == "unknown party" and kb.party_label("org:hezbollah") == "Hezbollah"
