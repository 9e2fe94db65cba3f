"""CPU instructions per submission in the scoring worker, counted by valgrind's callgrind.

The scoring worker's whole job for one submission is `score_job`: decrypt the free text,
score a full IPIP-NEO-120 with the engine (validity panel, text signals, narrative),
serialise the report, compress, encrypt and hash it. This benchmark runs that function on
64 prepared submissions (seeded random answers, 300-word texts as in bench/submit.py)
under `valgrind --tool=callgrind`, and subtracts a run that prepares the same inputs but
scores nothing, so start-up and preparation are not counted. The baseline of the same
run is bench/engine.py's bare loop (sum the 120 answers per facet), counted the same way.

    .venv/bin/python bench/worker_instructions.py
    .venv/bin/python bench/worker_instructions.py --src /tmp/old/src   # another checkout

Needs valgrind. Bounded: four short child processes, about a minute in all.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JOBS = 64
BASELINE_LOOPS = 20_000


def child(src: str, mode: str) -> None:
    """Runs under callgrind: prepare the inputs, then do `mode`'s work."""
    sys.path.insert(0, src)
    from cryptography.fernet import Fernet

    from insight_atlas.assessments.worker_pool import score_job
    from insight_atlas.crypto import FieldCipher
    from insight_atlas.engine import load_instrument

    # After insight_atlas: bench/submit.py puts this checkout's src first on sys.path.
    sys.path.insert(1, str(ROOT / "bench"))
    from submit import full_answers, three_hundred_words

    cipher = FieldCipher([Fernet.generate_key()])
    rng = random.Random(3)
    jobs = [
        (
            "ipip-neo-120",
            full_answers(rng),
            None,
            None,
            cipher.encrypt_text(three_hundred_words(rng)),
        )
        for _ in range(JOBS)
    ]
    score_job(cipher, jobs[0])  # parse the instrument, load the lexicons
    if mode == "jobs":
        for job in jobs:
            score_job(cipher, job)
    elif mode == "baseline":
        facet_of = [(item.id, item.scale) for item in load_instrument("ipip-neo-120").items]
        for n in range(BASELINE_LOOPS):
            answers = jobs[n % JOBS][1]
            totals: dict[str, int] = {}
            for item_id, facet in facet_of:
                totals[facet] = totals.get(facet, 0) + answers[item_id]


def count(src: str, mode: str, workdir: Path) -> int:
    out = workdir / f"callgrind.{mode}"
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            mode,
            "--src",
            src,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"callgrind run {mode!r} failed:\n{completed.stderr[-2000:]}")
    match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no instruction total in {out}")
    return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--src", default=str(ROOT / "src"), help="the insight_atlas to count")
    parser.add_argument("--child", choices=["none", "jobs", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.src, args.child)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="atlas-worker-instr-") as tmp:
        workdir = Path(tmp)
        totals = {mode: count(args.src, mode, workdir) for mode in ("none", "jobs", "baseline")}
    per_job = (totals["jobs"] - totals["none"]) / JOBS
    per_loop = (totals["baseline"] - totals["none"]) / BASELINE_LOOPS
    print(f"code: {args.src}")
    print(f"{'baseline loop (sum 120 answers per facet)':<44} {per_loop:>14,.0f} instructions")
    print(
        f"{'score_job (IPIP-NEO-120 + 300 words)':<44} {per_job:>14,.0f} instructions"
        f"  = {per_job / per_loop:,.0f} baseline loops"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
