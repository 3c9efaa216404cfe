"""The local Crossref answers as api.crossref.org does, and its faults switch on and off over HTTP."""

from __future__ import annotations

import httpx2

from forumgrader.crossref.localserver import LocalCrossref

from .conftest import HAMLIN


def test_answers_are_shaped_like_crossrefs(crossref: LocalCrossref) -> None:
    work = httpx2.get(f"{crossref.url}/works/{HAMLIN}").json()
    assert (work["status"], work["message-type"], work["message-version"]) == ("ok", "work", "1.0.0")
    assert work["message"]["DOI"] == HAMLIN

    missing = httpx2.get(f"{crossref.url}/works/10.9999/none")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")
    assert missing.text == "Resource not found."

    found = httpx2.get(
        f"{crossref.url}/works", params={"query.bibliographic": "sleep apnea in ecology 2011", "rows": 2}
    )
    listing = found.json()["message"]
    assert found.json()["message-type"] == "work-list"
    assert listing["total-results"] >= len(listing["items"]) == 2
    assert listing["items-per-page"] == 2
    assert listing["items"][0]["score"] >= listing["items"][1]["score"] > 0

    agency = httpx2.get(f"{crossref.url}/works/10.48550/arxiv.2101.00001/agency").json()
    assert agency["message"]["agency"] == {"id": "datacite", "label": "DataCite"}


def test_rate_limit_headers_and_pools(crossref: LocalCrossref) -> None:
    polite = httpx2.get(f"{crossref.url}/works/{HAMLIN}", headers={"User-Agent": "app/1 (mailto:ops@example.org)"})
    assert polite.headers["x-rate-limit-limit"] == "10"
    assert polite.headers["x-rate-limit-interval"] == "1s"
    assert polite.headers["x-concurrency-limit"] == "3"
    assert polite.headers["x-api-pool"] == "polite"
    assert httpx2.get(f"{crossref.url}/works/{HAMLIN}").headers["x-api-pool"] == "public"


def test_faults_switch_over_http_and_counters_count(crossref: LocalCrossref) -> None:
    control = httpx2.post(f"{crossref.url}/__control", json={"fail": 429, "retry_after": 2, "fail_times": 1})
    assert control.status_code == 200
    refused = httpx2.get(f"{crossref.url}/works/{HAMLIN}")
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "2")
    assert httpx2.get(f"{crossref.url}/works/{HAMLIN}").status_code == 200  # fail_times: only once

    httpx2.post(f"{crossref.url}/__control", json={"fail": 503})
    assert httpx2.get(f"{crossref.url}/works?query.bibliographic=x").status_code == 503
    stats = httpx2.get(f"{crossref.url}/__stats").json()
    assert stats["requests"] == {"lookup": 2, "search": 1}
    assert stats["too_many"] == 1
    assert stats["statuses"] == {"429": 1, "200": 1, "503": 1}

    httpx2.post(f"{crossref.url}/__reset")
    assert httpx2.get(f"{crossref.url}/works/{HAMLIN}").status_code == 200
    assert crossref.stats()["total"] == 1


def test_a_bad_control_request_is_refused(crossref: LocalCrossref) -> None:
    assert httpx2.post(f"{crossref.url}/__control", json={"explode": True}).status_code == 400
