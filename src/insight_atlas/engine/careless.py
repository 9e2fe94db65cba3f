"""The empirically calibrated careless-responding indices of the validity panel.

Each index compares one person's value with a reference distribution stored
in engine/validity/<key>.json: the open item-level sample where one exists,
otherwise simulated attentive respondents (the file says which). Verdicts are
``caution`` at most: an unusual pattern has innocent explanations too, so the
words say what was seen and how common it is, not what it means.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import consistency
from .models import Instrument
from .report import ValidityIndex, r4
from .validity_params import TailRule, ValidityParameters

PAIR_CITATIONS = ("johnson2005", "meade_craig2012")
CITATIONS: dict[str, tuple[str, ...]] = {
    "synonym_consistency": PAIR_CITATIONS,
    "antonym_consistency": PAIR_CITATIONS,
    "even_odd": ("johnson2005",),
    "person_total": ("curran2016",),
    "mahalanobis": ("meade_craig2012",),
    "inter_item_sd": ("marjanovic2015",),
}
# How each index is described: the value's meaning, and what "further out" means.
_WORDS: dict[str, tuple[str, str]] = {
    "synonym_consistency": (
        "Across {n} pairs of items that usually get similar answers, your answers "
        "correlate at {v:.2f}.",
        "agree less closely within such pairs",
    ),
    "antonym_consistency": (
        "Across {n} pairs of items that usually get opposite answers, your answers "
        "correlate at {v:.2f}.",
        "answer such pairs less oppositely",
    ),
    "even_odd": (
        "Scores from the odd- and even-numbered items of each scale agree at {v:.2f} "
        "(1 is full agreement).",
        "have halves that agree less",
    ),
    "person_total": (
        "Your answers follow how strongly people usually endorse each item at {v:.2f} "
        "(a correlation).",
        "follow that usual pattern less",
    ),
    "mahalanobis": (
        "Your combination of answers sits at a distance of {v:.1f} from the usual one "
        "(a genuinely unusual profile can also sit far out).",
        "sit further out",
    ),
    "inter_item_sd": (
        "Answers to items of the same scale spread by {v:.2f} scale points on average.",
        "spread more widely",
    ),
}
_RULE_WORDS = {
    "synonym_consistency": "within-person correlation across the synonym pairs",
    "antonym_consistency": "within-person correlation across the antonym pairs",
    "even_odd": "even-odd consistency (Spearman-Brown)",
    "person_total": "correlation with the reference sample's item means",
    "mahalanobis": "squared Mahalanobis distance from the reference sample",
    "inter_item_sd": "mean within-scale standard deviation of the keyed answers",
}


def share_words(percent: float) -> str:
    if percent < 1:
        return "fewer than 1%"
    if percent > 99:
        return "more than 99%"
    return f"{round(percent)}%"


def _index(
    name: str,
    value: float | None,
    rule: TailRule | None,
    params: ValidityParameters,
    count: int = 0,
    missing_reason: str = "",
) -> ValidityIndex:
    citations = CITATIONS[name]
    if rule is None:
        return ValidityIndex(
            name,
            None,
            f"{_RULE_WORDS[name]}; needs an item-level reference sample",
            "not_available",
            citations,
            "No item-level reference sample is available for this questionnaire, so this "
            "index is not computed.",
        )
    side = "below" if rule.direction == "below" else "above"
    threshold = (
        f"caution {side} {rule.threshold:g} ({_RULE_WORDS[name]}); "
        f"{rule.reference_share:g}% of {params.reference_label} are {side} it"
    )
    if value is None:
        return ValidityIndex(name, None, threshold, "not_computable", citations, missing_reason)
    rank = consistency.percentile_rank(value, rule.percentiles)
    further = rank if rule.direction == "below" else 100.0 - rank
    flagged = value < rule.threshold if rule.direction == "below" else value > rule.threshold
    seen, further_words = _WORDS[name]
    detail = (
        f"{seen.format(n=count, v=value)} Among {params.reference_label}, "
        f"{share_words(further)} {further_words}."
    )
    return ValidityIndex(
        name, r4(value), threshold, "caution" if flagged else "ok", citations, detail
    )


def careless_indices(
    instrument: Instrument, params: ValidityParameters, answers: Mapping[str, int]
) -> tuple[ValidityIndex, ...]:
    """Synonym/antonym, even-odd, person-total, Mahalanobis and inter-item SD indices."""
    keyed = {
        i: (6 - v if instrument.item_by_id[i].keyed == "minus" else v)
        for i, v in answers.items()
        if i in instrument.item_by_id
    }
    rules = params.rules
    pair_reason = "The correlation needs at least 3 answered pairs and some variation."
    out: list[ValidityIndex] = []
    for name, pairs in (
        ("synonym_consistency", params.synonym_pairs),
        ("antonym_consistency", params.antonym_pairs),
    ):
        value = consistency.pair_correlation(pairs, answers)
        answered = sum(1 for a, b in pairs if a in answers and b in answers)
        out.append(_index(name, value, rules.get(name), params, answered, pair_reason))
    out.append(
        _index(
            "even_odd",
            consistency.even_odd(params.scales, keyed),
            rules.get("even_odd"),
            params,
            missing_reason="The halves need at least 3 scales and some variation.",
        )
    )
    ordered = [answers.get(i) for i in params.items]
    person = None
    if params.item_means is not None:
        person = consistency.person_total(params.item_means, ordered)
    out.append(
        _index(
            "person_total",
            person,
            rules.get("person_total"),
            params,
            missing_reason="The correlation needs at least 3 answers and some variation.",
        )
    )
    complete = [v for v in ordered if v is not None]
    distance = None
    if params.mean is not None and params.inverse_covariance is not None:
        if len(complete) == len(ordered):
            distance = consistency.mahalanobis(params.mean, params.inverse_covariance, complete)
    out.append(
        _index(
            "mahalanobis",
            distance,
            rules.get("mahalanobis"),
            params,
            missing_reason="The distance needs every item answered.",
        )
    )
    out.append(
        _index(
            "inter_item_sd",
            consistency.inter_item_sd(params.scales, keyed),
            rules.get("inter_item_sd"),
            params,
            missing_reason="The spread needs at least two answered items in a scale.",
        )
    )
    return tuple(out)
