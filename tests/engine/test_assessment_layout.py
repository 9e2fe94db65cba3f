"""The instrument files match the published item layouts and keys."""

from __future__ import annotations

from collections import Counter

from engine.assessment_testkit import (
    MINI_MINUS_KEYED,
    MINI_TRAIT_CYCLE,
    NEO_MINUS_KEYED,
    neo_facet,
)
from insight_atlas.engine import list_instruments, load_instrument
from insight_atlas.engine.registry import load_raw_instrument

ANSWER_LABELS = [
    "Very Inaccurate",
    "Moderately Inaccurate",
    "Neither Accurate Nor Inaccurate",
    "Moderately Accurate",
    "Very Accurate",
]


def test_neo_items_follow_johnsons_facet_cycle_and_keying() -> None:
    inst = load_instrument("ipip-neo-120")
    assert [it.number for it in inst.items] == list(range(1, 121))
    for it in inst.items:
        assert it.scale == neo_facet(it.number), it.id
        expected = "minus" if it.number in NEO_MINUS_KEYED else "plus"
        assert it.keyed == expected, it.id
    assert sum(it.keyed == "minus" for it in inst.items) == 55


def test_neo_keying_matches_ipip_table_counts() -> None:
    # (+, -) counts per IPIP-NEO-120 facet from the ipip.ori.org 300/120 comparison table.
    published = {
        "N1": (4, 0), "N2": (3, 1), "N3": (3, 1), "N4": (3, 1), "N5": (1, 3), "N6": (3, 1),
        "E1": (2, 2), "E2": (2, 2), "E3": (3, 1), "E4": (3, 1), "E5": (4, 0), "E6": (4, 0),
        "O1": (4, 0), "O2": (2, 2), "O3": (2, 2), "O4": (1, 3), "O5": (1, 3), "O6": (2, 2),
        "A1": (3, 1), "A2": (0, 4), "A3": (2, 2), "A4": (0, 4), "A5": (0, 4), "A6": (2, 2),
        "C1": (4, 0), "C2": (1, 3), "C3": (2, 2), "C4": (2, 2), "C5": (2, 2), "C6": (0, 4),
    }  # fmt: skip
    counts = Counter((it.scale, it.keyed) for it in load_instrument("ipip-neo-120").items)
    for facet, (plus, minus) in published.items():
        assert (counts[(facet, "plus")], counts[(facet, "minus")]) == (plus, minus), facet


def test_neo_alphas_are_johnsons_published_values() -> None:
    # Coefficient alpha, "IPIP 120" column of the ipip.ori.org 300/120 comparison table
    # (Eugene-Springfield Community Sample).
    published = {
        "N": 0.88, "N1": 0.71, "N2": 0.77, "N3": 0.80, "N4": 0.63, "N5": 0.69, "N6": 0.70,
        "E": 0.84, "E1": 0.77, "E2": 0.60, "E3": 0.75, "E4": 0.68, "E5": 0.67, "E6": 0.71,
        "O": 0.85, "O1": 0.70, "O2": 0.72, "O3": 0.67, "O4": 0.66, "O5": 0.78, "O6": 0.76,
        "A": 0.81, "A1": 0.70, "A2": 0.62, "A3": 0.65, "A4": 0.56, "A5": 0.63, "A6": 0.68,
        "C": 0.84, "C1": 0.57, "C2": 0.76, "C3": 0.47, "C4": 0.68, "C5": 0.66, "C6": 0.70,
    }  # fmt: skip
    inst = load_instrument("ipip-neo-120")
    assert {k: r.alpha for k, r in inst.reliability.items()} == published
    for key, rel in inst.reliability.items():
        assert (rel.status, rel.citation, rel.note) == ("published", "johnson_alpha", None), key
    assert "IPIP300-120ComparisonTable" in inst.citations["johnson_alpha"]


def test_neo_spot_check_item_texts() -> None:
    by_number = {it.number: it.text for it in load_instrument("ipip-neo-120").items}
    assert by_number[1] == "Worry about things"
    assert by_number[2] == "Make friends easily"
    assert by_number[28] == "Tend to vote for liberal political candidates"
    assert by_number[96] == "Am not easily annoyed"
    assert by_number[120] == "Act without thinking"


def test_neo_scales_and_norm_groups_are_complete() -> None:
    inst = load_instrument("ipip-neo-120")
    facets = [s for s in inst.scales if s.kind == "facet"]
    domains = [s for s in inst.scales if s.kind == "domain"]
    assert len(facets) == 30 and all(len(s.items) == 4 for s in facets)
    assert [d.key for d in domains] == ["N", "E", "O", "A", "C"]
    expected_groups = {
        f"{sex}_{band}"
        for sex in ("male", "female", "combined")
        for band in ("under_21", "21_40", "41_60", "over_60")
    }
    assert set(inst.norm_groups) == expected_groups
    for group in inst.norm_groups.values():
        assert set(group.scales) == {s.key for s in inst.scales}
        assert all(n.sd > 0 for n in group.scales.values())
    assert inst.norm_groups["female_21_40"].scales["N"].mean == 72.14
    assert inst.norm_groups["male_over_60"].scales["C6"].sd == 3.61


def test_mini_ipip_layout() -> None:
    inst = load_instrument("mini-ipip")
    assert len(inst.items) == 20
    for it in inst.items:
        assert it.scale == MINI_TRAIT_CYCLE[(it.number - 1) % 5], it.id
        assert it.keyed == ("minus" if it.number in MINI_MINUS_KEYED else "plus"), it.id
    assert inst.items[0].text == "Am the life of the party"
    # Alphas derived from the open sample (tests/engine/test_derived_norms.py re-derives them).
    alphas = {k: r.alpha for k, r in inst.reliability.items()}
    assert alphas == {"E": 0.799, "A": 0.799, "C": 0.678, "N": 0.665, "I": 0.678}
    assert {r.status for r in inst.reliability.values()} == {"derived"}
    # Alphas listed on ipip.ori.org/MiniIPIPKey.htm for Donnellan et al. (2006), kept on record.
    raw = load_raw_instrument("mini-ipip")["reliability"]
    published = {k: r["published_alpha"] for k, r in raw.items()}
    assert published == {"E": 0.77, "A": 0.70, "C": 0.69, "N": 0.68, "I": 0.65}
    assert inst.items[19].text == "Do not have a good imagination"


def test_every_instrument_has_scale_labels_citations_and_plan() -> None:
    plans = {}
    for inst in list_instruments():
        plans[inst.key] = inst.plan
        assert [label for _, label in inst.answer_scale] == ANSWER_LABELS
        assert inst.citations and inst.item_citation in inst.citations
        assert inst.estimated_minutes > 0
        description = inst.describe()
        assert description["item_count"] == len(description["items"]) == inst.item_count
        for rel in inst.reliability.values():
            assert 0 < rel.alpha < 1
        for a, b in inst.validity.synonym_pairs + inst.validity.antonym_pairs:
            assert a in inst.item_by_id and b in inst.item_by_id
    assert plans == {
        "ipip-neo-120": "pro",
        "mini-ipip": "free",
        "ipip-50": "free",
        "work-style": "free",
    }


# Goldberg's 50 Big-Five markers in the published order (ipip.ori.org 50-item questionnaire
# format), keyed toward Neuroticism for factor IV; "-" marks a minus-keyed item.
IPIP50_PUBLISHED = """
Am the life of the party|-Feel little concern for others|Am always prepared|Get stressed out easily
Have a rich vocabulary|-Don't talk a lot|Am interested in people|-Leave my belongings around
-Am relaxed most of the time|-Have difficulty understanding abstract ideas
Feel comfortable around people|-Insult people|Pay attention to details|Worry about things
Have a vivid imagination|-Keep in the background|Sympathize with others' feelings
-Make a mess of things|-Seldom feel blue|-Am not interested in abstract ideas|Start conversations
-Am not interested in other people's problems|Get chores done right away|Am easily disturbed
Have excellent ideas|-Have little to say|Have a soft heart
-Often forget to put things back in their proper place|Get upset easily
-Do not have a good imagination|Talk to a lot of different people at parties
-Am not really interested in others|Like order|Change my mood a lot|Am quick to understand things
-Don't like to draw attention to myself|Take time out for others|-Shirk my duties
Have frequent mood swings|Use difficult words|Don't mind being the center of attention
Feel others' emotions|Follow a schedule|Get irritated easily|Spend time reflecting on things
-Am quiet around strangers|Make people feel at ease|Am exacting in my work|Often feel blue
Am full of ideas
"""


def test_ipip50_layout_matches_the_published_markers() -> None:
    inst = load_instrument("ipip-50")
    published = IPIP50_PUBLISHED.replace("\n", "|").strip("|").split("|")
    assert len(published) == len(inst.items) == 50
    for number, (item, entry) in enumerate(zip(inst.items, published, strict=True), start=1):
        assert item.id == f"ipip50-{number:02d}" and item.number == number
        assert item.text == entry.lstrip("-"), item.id
        assert item.keyed == ("minus" if entry.startswith("-") else "plus"), item.id
        assert item.scale == "EACNI"[(number - 1) % 5], item.id
    mini = load_instrument("mini-ipip")
    assert [(s.key, s.label) for s in inst.scales] == [(s.key, s.label) for s in mini.scales]
    assert all(len(s.items) == 10 and s.max_missing_items == 2 for s in inst.scales)
    # Every Mini-IPIP item is one of the 50 markers, with the same keying.
    by_text = {it.text: it for it in inst.items}
    for item in mini.items:
        assert (by_text[item.text].scale, by_text[item.text].keyed) == (item.scale, item.keyed)
    assert inst.plan == "free" and inst.scoring_method == "mean"


def test_work_style_is_unnormed_and_marks_item_sources() -> None:
    inst = load_instrument("work-style")
    assert not inst.normed and not inst.norm_groups
    assert {s.key for s in inst.scales} == {
        "novelty_seeking",
        "structure_preference",
        "social_energy",
        "sensory_sensitivity",
        "focus_intensity",
    }
    assert all(3 <= len(s.items) <= 4 for s in inst.scales)
    assert {it.source for it in inst.items} == {"ipip", "project"}
