"""Two reports compared as text: per-scale change, domains first, and whether each change
exceeds measurement error (the API's reliable-change index)."""

from __future__ import annotations

from typing import Any

from insight_atlas.cli.atlasctl.labels import scale_label
from insight_atlas.cli.atlasctl.output import Output, day, number, signed
from insight_atlas.cli.atlasctl.report_view import grouped_scales


def print_comparison(
    out: Output, comparison: dict[str, Any], report_scales: list[dict[str, Any]]
) -> None:
    """`report_scales` (a report's scales, with kind and parent) give the grouping; the
    comparison's rows are joined to them by scale key."""
    out.say(
        f"{comparison['instrument']}: report {comparison['earlier_report_id']}"
        f" ({day(comparison['earlier_created_at'])}) → {comparison['later_report_id']}"
        f" ({day(comparison['later_created_at'])})"
    )
    changes = {change["key"]: change for change in comparison["scales"]}
    rows = [
        (changes[scale["key"]], depth)
        for scale, depth in grouped_scales(report_scales, [])
        if scale["key"] in changes
    ]
    placed = {change["key"] for change, _ in rows}
    rows += [(change, 0) for change in comparison["scales"] if change["key"] not in placed]
    width = max([len(scale_label(change)) + 2 * depth for change, depth in rows] + [24]) + 2
    out.say(
        f"\n{'scale':<{width}} {'earlier':>9} {'later':>9} {'change':>7} {'RCI':>6}"
        "  beyond measurement error?"
    )
    for change, depth in rows:
        metric = "T" if change.get("change_t") is not None else "raw"
        earlier, later = change[f"earlier_{metric.lower()}"], change[f"later_{metric.lower()}"]
        verdict = f"yes, {change['direction']}" if change["reliable"] else "no"
        out.say(
            f"{'  ' * depth + scale_label(change):<{width}}"
            f" {metric + ' ' + number(earlier):>9} {metric + ' ' + number(later):>9}"
            f" {signed(change[f'change_{metric.lower()}']):>7}"
            f" {number(change['reliable_change_index'], 2):>6}  {verdict}"
        )
    if comparison.get("not_compared"):
        out.say(f"not compared: {', '.join(comparison['not_compared'])}")
    out.say("")
    out.wrapped(str(comparison["method"]))
    out.wrapped(str(comparison["citation"]))
