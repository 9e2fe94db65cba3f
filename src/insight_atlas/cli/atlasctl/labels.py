"""Scale labels as atlasctl shows them: a label that could read as a clinical term always
carries its plain-language gloss ("Depression (low mood)"). The glosses are data."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

_GLOSS_FILE = "data/scale_glosses.json"


@cache
def glosses() -> dict[str, str]:
    text = resources.files("insight_atlas.cli.atlasctl").joinpath(_GLOSS_FILE).read_text("utf-8")
    table: dict[str, str] = json.loads(text)["glosses"]
    return table


def display_label(label: str) -> str:
    gloss = glosses().get(label)
    return f"{label} ({gloss})" if gloss else label


def scale_label(scale: dict[str, object]) -> str:
    return display_label(str(scale.get("label") or scale.get("key", "")))
