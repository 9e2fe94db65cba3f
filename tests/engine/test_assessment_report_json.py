"""Report shape, determinism and the work-style add-on."""

from __future__ import annotations

import json

from insight_atlas.engine import DISCLAIMER, ENGINE_VERSION, list_instruments, score

NEO = {f"neo-{i:03d}": 1 + (i * 7) % 5 for i in range(1, 121)}
MINI = {f"mini-{i:02d}": 1 + (i * 3) % 5 for i in range(1, 21)}
WORK = {
    "ws-novelty-1": 5, "ws-novelty-2": 5, "ws-novelty-3": 1, "ws-novelty-4": 2,
    "ws-structure-1": 2, "ws-structure-2": 1, "ws-structure-3": 2,
    "ws-social-1": 3, "ws-social-2": 3, "ws-social-3": 3, "ws-social-4": 3,
    "ws-sensory-1": 4,
    "ws-focus-1": 4, "ws-focus-2": 3, "ws-focus-3": 2, "ws-focus-4": 3,
}  # fmt: skip
TOP_LEVEL = {
    "engine_version", "instrument", "norms", "scales", "unscored_scales", "addons", "answers",
    "demographics", "validity", "text_signals", "narrative", "method", "citations", "disclaimer",
}  # fmt: skip


def test_json_is_byte_identical_across_runs_and_input_order() -> None:
    kwargs = {
        "demographics": {"sex": "male", "age": 33},
        "timings": dict.fromkeys(NEO, 3.5),
        "free_text": "We may try again. I definitely loved the quiet mornings.",
    }
    first = score("ipip-neo-120", NEO, **kwargs).to_json()  # type: ignore[arg-type]
    reordered = dict(reversed(list(NEO.items())))
    second = score("ipip-neo-120", reordered, **kwargs).to_json()  # type: ignore[arg-type]
    assert first == second
    assert first == score("ipip-neo-120", NEO, **kwargs).to_json()  # type: ignore[arg-type]


def test_report_top_level_shape_and_provenance() -> None:
    report = score("ipip-neo-120", NEO, demographics={"sex": "female", "age": 70})
    data = json.loads(report.to_json())
    assert set(data) == TOP_LEVEL
    assert data["engine_version"] == ENGINE_VERSION
    assert data["instrument"]["key"] == "ipip-neo-120" and data["instrument"]["version"]
    assert data["norms"]["version"] and data["norms"]["group_id"] == "female_over_60"
    assert data["answers"] == dict(sorted(NEO.items()))
    assert data["demographics"] == {"sex": "female", "age": 70}
    assert (
        data["disclaimer"] == DISCLAIMER == "This report is a self-reflection aid, not a diagnosis."
    )
    assert DISCLAIMER.encode() in report.to_json()
    assert data["method"]["band_cutoffs"] == {"low_below_t": 45.0, "high_above_t": 55.0}
    scale = data["scales"][0]
    assert {"raw", "t", "percentile", "band", "interval"} <= set(scale)
    assert data["text_signals"] is None


def test_floats_are_rounded() -> None:
    data = score("ipip-neo-120", NEO).to_dict()
    for s in data["scales"]:
        assert s["t"] == round(s["t"], 2) and s["percentile"] == round(s["percentile"], 2)
        assert s["raw"] == round(s["raw"], 4)


def test_work_style_combines_with_a_big_five_instrument() -> None:
    combined = score("mini-ipip", {**MINI, **WORK})
    alone = score("mini-ipip", MINI)
    assert [s.to_dict() for s in combined.main.scales] == [s.to_dict() for s in alone.main.scales]
    data = combined.to_dict()
    work = data["addons"]["work-style"]
    assert work["norms"]["status"] == "none"
    scales = {s["key"]: s for s in work["scales"]}
    assert scales["novelty_seeking"]["raw"] == (5 + 5 + 5 + 4) / 4
    for s in scales.values():
        assert s["t"] is None and s["percentile"] is None and s["band"] is None
        assert s["interval"] is None
    assert {u["key"] for u in work["unscored_scales"]} == {"sensory_sensitivity"}
    assert any(
        st["evidence"]["scales"] == ["novelty_seeking"] for st in data["narrative"]["statements"]
    )
    assert alone.to_dict()["addons"] == {}


def test_work_style_alone() -> None:
    data = score("work-style", WORK).to_dict()
    assert data["instrument"]["key"] == "work-style" and data["instrument"]["normed"] is False
    assert data["addons"] == {}
    assert all(s["band"] is None for s in data["scales"])


def test_instrument_descriptions_for_the_api() -> None:
    described = {i.key: i.describe() for i in list_instruments()}
    assert set(described) == {"ipip-neo-120", "mini-ipip", "ipip-50", "work-style"}
    neo = described["ipip-neo-120"]
    assert neo["plan"] == "pro" and neo["item_count"] == 120 and neo["estimated_minutes"] == 15
    assert neo["answer_scale"][0] == {"value": 1, "label": "Very Inaccurate"}
    assert "johnson2014" in neo["citations"]
    assert described["mini-ipip"]["plan"] == described["work-style"]["plan"] == "free"
    json.dumps(described)
