"""Derive an instrument's norms and reliabilities from the open IPIP Big-Five data set.

    python tools/derive_norms.py /path/to/big5.tsv --instrument mini-ipip [--write]

Without --write the norms block is printed; with it, the instrument's JSON file in the
package gets the new norms, reliability and data citation. The data file itself is never
copied into the repository (see docs/ASSESSMENT.md, "Derived norms").
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from insight_atlas.engine.norm_derivation import (
    NORMS_VERSIONS,
    DerivationError,
    apply,
    derive_from_file,
    instrument_json,
)
from insight_atlas.engine.registry import load_raw_instrument, parse_instrument


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="big5.tsv (tab-separated, header row)")
    parser.add_argument("--instrument", choices=sorted(NORMS_VERSIONS), default="mini-ipip")
    parser.add_argument("--write", action="store_true", help="update the instrument file")
    args = parser.parse_args(argv)
    try:
        content = args.data.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.data}: {exc}", file=sys.stderr)
        return 2
    raw = load_raw_instrument(args.instrument)
    try:
        derived = derive_from_file(
            parse_instrument(raw), parse_instrument(load_raw_instrument("ipip-50")), content
        )
    except DerivationError as exc:
        print(f"cannot derive norms: {exc}", file=sys.stderr)
        return 1
    norms = derived["norms"]
    for gid, group in norms["groups"].items():
        alphas = " ".join(f"{k}={v['alpha']:.3f}" for k, v in group["scales"].items())
        print(f"{gid:<18} N={group['n']:>6}  alpha: {alphas}", file=sys.stderr)
    for gid, fallback in norms["fallbacks"].items():
        print(f"{gid:<18} N={fallback['n']:>6}  -> {fallback['group']}", file=sys.stderr)
    if not args.write:
        print(json.dumps(norms, indent=1, ensure_ascii=False))
        return 0
    target = resources.files("insight_atlas.engine").joinpath("instruments")
    path = Path(str(target.joinpath(f"{args.instrument}.json")))
    path.write_text(instrument_json(apply(raw, derived)), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
