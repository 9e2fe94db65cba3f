"""The gloss table keeps clinical-sounding scale labels from ever standing alone."""

from __future__ import annotations

import json
from importlib import resources

from insight_atlas.cli.atlasctl.labels import display_label, glosses
from insight_atlas.engine import list_instruments


def _scales() -> list[tuple[str, str, str | None]]:
    """(instrument, label, domain key) of every scale of every instrument."""
    scales = []
    for summary in list_instruments():
        data = json.loads(
            resources.files("insight_atlas.engine")
            .joinpath(f"instruments/{summary.key}.json")
            .read_text("utf-8")
        )
        for scale in data["scales"]:
            scales.append((summary.key, scale["label"], scale.get("domain")))
    return scales


def _forbidden_terms() -> list[str]:
    text = (
        resources.files("insight_atlas.engine")
        .joinpath("resources/narrative_templates.json")
        .read_text("utf-8")
    )
    terms: list[str] = json.loads(text)["forbidden_terms"]
    return terms


def test_labels_with_a_clinical_term_and_the_neuroticism_scales_are_glossed() -> None:
    table = glosses()
    for instrument, label, domain in _scales():
        clinical = any(term in label.lower() for term in _forbidden_terms())
        # The domain of distress: its facet names (Anxiety, Anger, …) read as conditions.
        if clinical or domain == "N" or label == "Neuroticism":
            assert label in table, (instrument, label)


def test_every_gloss_belongs_to_a_scale_and_is_itself_plain() -> None:
    labels = {label for _, label, _ in _scales()}
    for label, gloss in glosses().items():
        assert label in labels, f"{label} is no scale's label: a stale gloss"
        assert not any(term in gloss.lower() for term in _forbidden_terms()), gloss


def test_display_label() -> None:
    assert display_label("Depression") == "Depression (low mood)"
    assert display_label("Immoderation") == "Immoderation (acting on cravings)"
    assert display_label("Friendliness") == "Friendliness"
