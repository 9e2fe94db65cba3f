"""A report document as text: scores grouped by domain, response quality in words,
work style, free-text signals, and the narrative with what each statement rests on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from insight_atlas.cli.atlasctl.labels import scale_label
from insight_atlas.cli.atlasctl.output import Output, day, number

Scale = dict[str, Any]

VALIDITY_OVERALL = {
    "valid": "no concerns found in the answer pattern",
    "caution": "caution: one part of the answer pattern is uncommon",
    "invalid": "doubtful: the answer pattern suggests the answers may not describe you well",
}
VALIDITY_INDEX_NAMES = {
    "longstring": "Runs of identical answers",
    "irv": "Variety of the answers",
    "synonym_consistency": "Agreement on items that say the same thing",
    "antonym_consistency": "Disagreement on items that say the opposite",
    "response_time": "Answering speed",
    "even_odd": "Agreement between the two halves of each scale",
    "person_total": "Fit with how items are usually answered",
    "mahalanobis": "How usual the whole set of answers is",
    "inter_item_sd": "Spread within each scale",
}


@dataclass
class ItemTexts:
    """Item wording and answer labels, for --explain (from the public instrument endpoints)."""

    texts: dict[str, str] = field(default_factory=dict)
    answer_labels: dict[int, str] = field(default_factory=dict)


def print_report(out: Output, document: dict[str, Any], items: ItemTexts | None = None) -> None:
    body: dict[str, Any] = document["report"]
    out.say(f"Report {document['id']} — {body['instrument']['title']}")
    if document.get("created_at"):
        out.say(f"Created {day(document['created_at'])}")
    norms = body.get("norms") or {}
    if norms.get("group_label"):
        status = f" ({norms['status']})" if norms.get("status") else ""
        out.wrapped(f"Compared with: {norms['group_label']}{status}", subsequent_indent="  ")
    _print_validity(out, body.get("validity") or {})
    _print_scores(out, body.get("scales", []), body.get("unscored_scales", []))
    _print_work_style(out, (body.get("addons") or {}).get("work-style"))
    _print_narrative(out, body, items)
    _print_text_signals(out, body.get("text_signals"))
    out.say("")
    out.wrapped(str(body.get("disclaimer", "")))


def _print_validity(out: Output, validity: dict[str, Any]) -> None:
    overall = validity.get("overall")
    out.say(f"\nResponse quality: {VALIDITY_OVERALL.get(str(overall), overall)}")
    flagged = [
        index
        for index in validity.get("indices", [])
        if index.get("verdict") in ("caution", "invalid")
    ]
    for index in flagged:
        name = VALIDITY_INDEX_NAMES.get(index["name"], str(index["name"]).replace("_", " "))
        out.wrapped(
            f"- {name} ({index['verdict']}): {index.get('detail', '')}",
            subsequent_indent="  ",
        )
        if index.get("threshold"):
            out.wrapped(f"rule: {index['threshold']}", indent="  ", subsequent_indent="  ")
    if not flagged:
        for reason in validity.get("reasons", []):
            out.wrapped(f"- {reason}", subsequent_indent="  ")


def grouped_scales(scales: list[Scale], unscored: list[Scale]) -> list[tuple[Scale, int]]:
    """Domains first, in the instrument's order, each followed by its facets (depth 1);
    then scales that belong to no domain. An unscored domain still heads its facets."""
    by_key = {scale["key"]: scale for scale in scales}
    unscored_by_key = {scale["key"]: scale for scale in unscored}
    domains = [scale["key"] for scale in scales if scale.get("kind") == "domain"]
    for scale in scales:
        parent = scale.get("parent")
        if parent and parent not in domains:
            domains.append(parent)
    rows: list[tuple[Scale, int]] = []
    for key in domains:
        header = by_key.get(key) or unscored_by_key.get(key) or {"key": key, "label": key}
        rows.append((header, 0))
        rows.extend((scale, 1) for scale in scales if scale.get("parent") == key)
    placed = {id(scale) for scale, _ in rows}
    rows.extend((scale, 0) for scale in scales if id(scale) not in placed)
    return rows


def _print_scores(out: Output, scales: list[Scale], unscored: list[Scale]) -> None:
    rows = grouped_scales(scales, unscored)
    width = max([len(scale_label(scale)) + 2 * depth for scale, depth in rows] + [24]) + 2
    out.say(f"\n{'scale':<{width}} {'raw':>6} {'T':>6} {'%ile':>6}  {'band':<8} 95% T interval")
    any_prorated = False
    for scale, depth in rows:
        label = "  " * depth + scale_label(scale)
        if "raw" not in scale:  # an unscored domain heading its facets
            out.say(f"{label:<{width}} not scored: {scale.get('reason', '')}")
            continue
        interval = scale.get("interval") or {}
        t_range = (
            f"{interval['t_low']:.0f}–{interval['t_high']:.0f}"
            if interval.get("t_low") is not None
            else ""
        )
        marker = "*" if scale.get("prorated") else ""
        any_prorated = any_prorated or bool(marker)
        out.say(
            f"{label:<{width}} {number(scale.get('raw')) + marker:>6} {number(scale.get('t')):>6}"
            f" {number(scale.get('percentile')):>6}  {scale.get('band') or '':<8} {t_range}"
        )
    if any_prorated:
        out.say("* pro-rated: one item of the scale was not answered")
    headed = {scale["key"] for scale, _ in rows}
    for scale in unscored:
        if scale["key"] not in headed:
            out.say(f"{scale_label(scale)}: not scored: {scale.get('reason', '')}")


def _print_work_style(out: Output, work_style: dict[str, Any] | None) -> None:
    if not work_style:
        return
    out.say("\nWork style (un-normed self-report: the mean of your 1–5 answers, not compared")
    out.say("with other people)")
    scales = work_style.get("scales", [])
    width = max([len(scale_label(scale)) for scale in scales] + [20]) + 2
    for scale in scales:
        answered = f"{scale.get('items_answered')} of {scale.get('items_total')} items"
        out.say(f"  {scale_label(scale):<{width}} {number(scale.get('raw'), 2):>5}  ({answered})")
    for scale in work_style.get("unscored_scales", []):
        out.say(f"  {scale_label(scale)}: not scored: {scale.get('reason', '')}")


def _print_narrative(out: Output, body: dict[str, Any], items: ItemTexts | None) -> None:
    statements = (body.get("narrative") or {}).get("statements", [])
    if not statements:
        return
    out.say("\nWhat your answers may suggest")
    scales = {scale["key"]: scale for scale in body.get("scales", [])}
    for addon in (body.get("addons") or {}).values():
        scales.update({scale["key"]: scale for scale in addon.get("scales", [])})
    answers: dict[str, int] = body.get("answers") or {}
    for statement in statements:
        out.wrapped(f"- {statement['text']}", subsequent_indent="  ")
        if items is not None:
            _print_evidence(out, statement.get("evidence") or {}, scales, answers, items)


def _print_evidence(
    out: Output,
    evidence: dict[str, Any],
    scales: dict[str, Scale],
    answers: dict[str, int],
    items: ItemTexts,
) -> None:
    for key in evidence.get("scales", []):
        scale = scales.get(key, {"key": key})
        if scale.get("t") is not None:
            score = f"T {number(scale['t'])}, {scale.get('band')}"
        else:
            score = f"mean {number(scale.get('raw'), 2)} of 1–5"
        out.wrapped(
            f"scale {scale_label(scale)}: {score}", indent="    ", subsequent_indent="      "
        )
    for item_id in evidence.get("items", []):
        answer = answers.get(item_id)
        label = items.answer_labels.get(answer, "") if answer is not None else ""
        given = f"{answer} ({label})" if label else str(answer)
        text = items.texts.get(item_id, "")
        out.wrapped(
            f'item {item_id}: "{text}" — you answered {given}',
            indent="    ",
            subsequent_indent="      ",
        )
    if not evidence.get("scales") and not evidence.get("items"):
        out.say("    (about the response-quality panel above, not about a scale)")


def _print_text_signals(out: Output, signals_block: dict[str, Any] | None) -> None:
    if not signals_block:
        return
    out.say("\nYour free text (exploratory: these describe the writing, not you, and never")
    out.say("change the scores above)")
    absent: list[str] = []
    for signal in signals_block.get("signals", []):
        name = _signal_name(str(signal["name"]))
        if not signal.get("value") and not signal.get("evidence"):
            absent.append(name)
            continue
        out.wrapped(
            f"- {name}: {number(signal.get('value'), 2)} — {signal.get('meaning', '')}",
            subsequent_indent="  ",
        )
        if signal.get("evidence"):
            quoted = ", ".join(f'"{word}"' for word in signal["evidence"])
            out.wrapped(f"evidence: {quoted}", indent="    ", subsequent_indent="      ")
    if absent:
        out.wrapped(f"- none found: {', '.join(absent)}", subsequent_indent="  ")


def _signal_name(name: str) -> str:
    """`emotion_words_joy` → "joy words", `hedging_rate` → "hedging rate"."""
    if name.startswith("emotion_words_"):
        return f"{name.removeprefix('emotion_words_')} words"
    return name.replace("_", " ")
