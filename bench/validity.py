"""Flag rates of the validity panel, scored through the engine's public ``score()``.

Run: .venv/bin/python bench/validity.py [--n 3000] [--data PATH] [--instrument KEY ...]

Per instrument (mini-ipip, ipip-50 when this build has it, ipip-neo-120), the
share of response sets whose overall verdict is not ``valid``:

  open sample   held-out rows of the open IPIP-50 sample (complete rows at odd
                positions; the even ones derived the parameters), every k-th one so
                that --n rows span the whole file; instruments with an item-level
                sample only
  attentive     simulated attentive respondents: draws from the open sample's
                multivariate normal (item means and covariance, rounded, clipped to
                1..5) where a sample exists, else the nominal latent trait model of
                tools/validity_sim.py
  random        every answer uniform on 1..5
  straight-line all 1s, all 2s, ... all 5s

Targets: open sample <= 10%, attentive <= 3%, random >= 90% (>= 80% for the
20-item Mini-IPIP), straight-line >= 90%. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools"))

from derive_validity import OUT_DIR, read_sample  # noqa: E402
from insight_atlas.engine import UnknownInstrumentError, load_instrument, score  # noqa: E402
from validity_sim import NOMINAL, latent_answers, normal_answers, uniform_answers  # noqa: E402

INSTRUMENTS = ("mini-ipip", "ipip-50", "ipip-neo-120")
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ipip50-big5" / "big5.tsv"
SEED = 7


@dataclass
class Group:
    label: str
    n: int = 0
    flagged: int = 0
    by_index: Counter[str] = field(default_factory=Counter)

    @property
    def share(self) -> float:
        return self.flagged / self.n if self.n else float("nan")


@dataclass
class Rates:
    instrument: str
    groups: dict[str, Group]
    targets: dict[str, tuple[str, float]]

    def passed(self, name: str) -> bool:
        group = self.groups[name]
        side, target = self.targets[name]
        return group.share <= target if side == "<=" else group.share >= target


def data_path(explicit: Path | None = None) -> Path:
    return explicit or Path(os.environ.get("NORMS_DATA_TSV", DEFAULT_DATA))


def _score_group(key: str, label: str, rows: Sequence[Sequence[int]]) -> Group:
    items = load_instrument(key).item_order
    group = Group(label)
    for row in rows:
        panel = score(key, dict(zip(items, row, strict=True))).validity
        group.n += 1
        if panel.overall != "valid":
            group.flagged += 1
            group.by_index.update(
                i.name for i in panel.indices if i.verdict in ("caution", "invalid")
            )
    return group


def rates(key: str, n: int, data: Path | None = None, seed: int = SEED) -> Rates:
    instrument = load_instrument(key)
    raw = json.loads((OUT_DIR / f"{key}.json").read_text("utf-8"))
    groups: dict[str, Group] = {}
    targets: dict[str, tuple[str, float]] = {}
    indices = raw["indices"]
    items = list(instrument.item_order)
    if raw["provenance"]["reference"] == "open_sample":
        path = data_path(data)
        if path.is_file():
            columns = raw["provenance"]["columns"]
            _, complete = read_sample(path, columns, items)
            held_out = complete[1::2]
            # Every k-th held-out row: a bounded sample still spans the whole file.
            stride = max(1, len(held_out) // n)
            groups["open sample"] = _score_group(key, "open sample", held_out[::stride][:n])
            targets["open sample"] = ("<=", 0.10)
        maha = indices["mahalanobis"]
        attentive = normal_answers(maha["mean"], maha["covariance"], n, seed)
    else:
        attentive = latent_answers(instrument, n, seed, NOMINAL)
    groups["attentive"] = _score_group(key, "attentive", attentive)
    targets["attentive"] = ("<=", 0.03)
    random_rows = uniform_answers(len(items), n, seed + 1)
    groups["random"] = _score_group(key, "random", random_rows)
    targets["random"] = (">=", 0.80 if len(items) <= 20 else 0.90)
    lines = [[v] * len(items) for v in range(1, 6)]
    groups["straight-line"] = _score_group(key, "straight-line", lines)
    targets["straight-line"] = (">=", 0.90)
    return Rates(key, groups, targets)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="rows per group (default 3000)")
    parser.add_argument("--data", type=Path, default=None, help="open sample TSV")
    parser.add_argument("--instrument", action="append", choices=INSTRUMENTS)
    args = parser.parse_args(argv)
    missed = 0
    print(f"{'instrument':14} {'group':14} {'n':>6} {'flagged':>8}  target   result  top indices")
    for key in args.instrument or INSTRUMENTS:
        try:
            load_instrument(key)
        except UnknownInstrumentError:
            print(f"{key:14} skipped: not in this build")
            continue
        if not (OUT_DIR / f"{key}.json").is_file():
            print(f"{key:14} skipped: no engine/validity/{key}.json (run tools/derive_validity.py)")
            continue
        result = rates(key, args.n, args.data)
        if "open sample" not in result.groups and result.instrument != "ipip-neo-120":
            print(f"{key:14} open sample: data file not found ({data_path(args.data)})")
        for name, group in result.groups.items():
            side, target = result.targets[name]
            ok = result.passed(name)
            missed += not ok
            top = ", ".join(f"{k} {v / group.n:.1%}" for k, v in group.by_index.most_common(3))
            print(
                f"{key:14} {name:14} {group.n:6d} {group.share:8.1%}  {side} {target:.0%}   "
                f"{'PASS' if ok else 'MISS':6}  {top}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
