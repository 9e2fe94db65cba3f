"""`atlasctl report`, `compare`, `share` and `unshare` on IPIP-NEO-120 reports (Pro)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result

from helpers.flows import SAMPLE_TEXT, answers_for
from insight_atlas.cli.atlasctl.labels import glosses

Atlasctl = Callable[..., Result]
DOMAINS = ["Neuroticism", "Extraversion", "Openness to Experience", "Agreeableness"]


def _submit_neo(atlasctl: Atlasctl, tmp_path: Path, pattern: int) -> dict[str, Any]:
    answers = answers_for("ipip-neo-120", pattern=pattern)
    answers.update(answers_for("work-style", pattern=pattern))
    file = tmp_path / f"neo-{pattern}.json"
    file.write_text(
        json.dumps(
            {
                "instrument": "ipip-neo-120",
                "include_work_style": True,
                "answers": answers,
                "free_text": SAMPLE_TEXT,
            }
        )
    )
    document: dict[str, Any] = json.loads(atlasctl("submit", str(file), "--yes", "--json").stdout)
    return document


@pytest.fixture
def two_reports(atlasctl: Atlasctl, pro_account: Any, tmp_path: Path) -> tuple[str, str]:
    earlier = _submit_neo(atlasctl, tmp_path, pattern=0)
    later = _submit_neo(atlasctl, tmp_path, pattern=3)
    return earlier["id"], later["id"]


def _rows(output: str, header: str) -> list[str]:
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line)
    return rows


def test_report_groups_facets_under_domains_and_glosses_clinical_labels(
    atlasctl: Atlasctl, two_reports: tuple[str, str]
) -> None:
    report_id = two_reports[1]
    shown = atlasctl("report", report_id).output
    rows = _rows(shown, "scale ")
    # Domains first, in the instrument's order, each followed by its six facets.
    headings = [row.split("  ")[0] for row in rows if not row.startswith(" ")]
    assert headings[:2] == ["Neuroticism (emotional sensitivity)", "Extraversion"]
    assert [heading.split(" (")[0] for heading in headings] == [*DOMAINS, "Conscientiousness"]
    assert len(rows) == 35
    neuroticism_facets = [row.strip().split("  ")[0] for row in rows[1:7]]
    assert neuroticism_facets == [
        "Anxiety (worry)",
        "Anger (irritability)",
        "Depression (low mood)",
        "Self-Consciousness (social unease)",
        "Immoderation (acting on cravings)",
        "Vulnerability (stress sensitivity)",
    ]
    assert all(row.startswith("  ") for row in rows[1:7])
    # No glossed label ever appears without its gloss (the narrative's own wording,
    # "emotional sensitivity (Neuroticism)", carries it too).
    for label, gloss in glosses().items():
        bare = shown.replace(f"{label} ({gloss})", "").replace(f"{gloss} ({label})", "")
        assert label not in bare, label

    assert "Response quality: " in shown
    assert "Work style (un-normed self-report" in shown
    assert "Novelty seeking" in shown
    assert "Your free text (exploratory" in shown
    assert 'evidence: "happy", "worry"' in shown
    assert "not a diagnosis" in shown


def test_report_explain_shows_the_scores_and_answers_behind_each_statement(
    atlasctl: Atlasctl, two_reports: tuple[str, str]
) -> None:
    report_id = two_reports[0]
    plain = atlasctl("report", report_id).output
    explained = atlasctl("report", report_id, "--explain").output
    assert "item neo-" not in plain
    assert "scale Neuroticism (emotional sensitivity): T " in explained
    assert 'item neo-001: "Worry about things" — you answered ' in explained
    body = json.loads(atlasctl("report", report_id, "--json").stdout)["report"]
    statements = body["narrative"]["statements"]
    assert explained.count("    item ") == sum(len(s["evidence"]["items"]) for s in statements)


def test_report_validity_reasons_are_in_words(atlasctl: Atlasctl, account: Any) -> None:
    # The same answer twenty times: the response-quality panel flags it.
    atlasctl("take", "--yes", input="3\n" * 20 + "\n")
    report_id = account.get("/v1/reports")["items"][0]["id"]
    shown = atlasctl("report", report_id).output
    assert "Response quality: doubtful" in shown
    assert "- Runs of identical answers (invalid): The longest run of identical" in shown
    assert "longstring" not in shown and "irv:" not in shown


def test_compare_lists_domains_first_and_says_what_exceeds_measurement_error(
    atlasctl: Atlasctl, two_reports: tuple[str, str]
) -> None:
    earlier, later = two_reports
    # Either order: the API puts them in time order.
    shown = atlasctl("compare", later, earlier).output
    assert f"report {earlier}" in shown.splitlines()[0]
    rows = _rows(shown, "scale ")
    assert rows[0].startswith("Neuroticism (emotional sensitivity) ")
    assert rows[1].startswith("  Anxiety (worry) ")
    assert len(rows) == 35
    comparison = json.loads(atlasctl("compare", earlier, later, "--json").stdout)
    by_label = {change["label"]: change for change in comparison["scales"]}
    for row in rows:
        change = by_label[row.strip().split("  ")[0].split(" (")[0]]
        expected = f"yes, {change['direction']}" if change["reliable"] else "no"
        assert row.endswith(f"  {expected}"), row
    assert any(row.endswith("  no") for row in rows)
    assert any("  yes, " in row for row in rows)
    assert "Jacobson" in shown


def test_compare_of_different_questionnaires_is_a_readable_error(
    atlasctl: Atlasctl, two_reports: tuple[str, str], pro_account: Any
) -> None:
    atlasctl("take", "--yes", input="2\n4\n" * 10 + "\n")
    mini = pro_account.get("/v1/reports")["items"][0]["id"]
    refused = atlasctl("compare", two_reports[0], mini, code=1)
    assert "cannot be compared. (not_comparable, HTTP 422, request id " in refused.output


def test_share_and_unshare(atlasctl: Atlasctl, two_reports: tuple[str, str]) -> None:
    report_id = two_reports[0]
    shown = atlasctl("share", report_id, "--days", "3").output
    url = shown.splitlines()[0]
    assert "unshare " + report_id in shown
    link = json.loads(atlasctl("share", report_id, "--json").stdout)
    token = link["token"]
    shared = httpx.get(url.replace("/shared/", "/v1/shared/"))
    assert shared.status_code == 200 and shared.json()["shared"] is True
    listed = json.loads(atlasctl("reports", "--json").stdout)["items"]
    assert next(item for item in listed if item["id"] == report_id)["shared"] is True

    stopped = atlasctl("unshare", report_id).output
    assert "has stopped working" in stopped
    base = url.split("/shared/")[0]
    assert httpx.get(url.replace("/shared/", "/v1/shared/")).status_code == 404
    assert httpx.get(f"{base}/v1/shared/{token}").status_code == 404
    assert json.loads(atlasctl("unshare", report_id, "--json").stdout) == {
        "report_id": report_id,
        "shared": False,
    }
    atlasctl("share", report_id, "--days", "91", code=2)


def test_compare_and_share_on_free_need_pro(atlasctl: Atlasctl, account: Any) -> None:
    atlasctl("take", "--yes", input="2\n4\n" * 10 + "\n")
    report_id = account.get("/v1/reports")["items"][0]["id"]
    refused = atlasctl("share", report_id, code=5)
    assert "upgrade_required, HTTP 402" in refused.output
    assert "upgrade with: atlasctl upgrade pro_monthly" in refused.output
    atlasctl("compare", report_id, report_id, code=5)
