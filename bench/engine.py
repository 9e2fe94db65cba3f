"""Throughput of the assessment engine, with a baseline measured in the same run.

Run: .venv/bin/python bench/engine.py

Cases (each runs for a fixed wall-clock budget, so the script stops by itself):
  * baseline      a bare loop that only sums the 120 answers per facet
  * neo           full IPIP-NEO-120 report: scores, norms, intervals, validity panel, narrative
  * neo+text      the same plus 300 words of free text (text signals)
Each engine case is measured as score() alone and as score() followed by to_json().
The ratio "engine / baseline" compares reports per second with baseline loops per second.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from insight_atlas.engine import load_instrument, score

SECONDS_PER_CASE = 1.0
PROFILES = 64

SENTENCES = [
    "This week I finally finished the migration plan and felt relieved.",
    "We argued about the budget on Monday, which was frustrating for everyone.",
    "Honestly, I think the new schedule may suit me better than the old one.",
    "My manager was supportive when I asked for more time.",
    "I was worried about the presentation, but it went surprisingly well.",
    "Our team probably needs clearer priorities before the next release.",
    "Some mornings I feel tired and it takes a while to get going.",
    "I definitely enjoy the quiet hours before everyone arrives.",
    "The office was loud again, so I worked from the library in the afternoon.",
    "We celebrated a small win on Friday with coffee and cake.",
    "Perhaps I should say no more often when new requests arrive.",
    "I love solving tricky problems, even when they take all day.",
    "A colleague shared an idea that changed how I see the project.",
    "I am not sure the deadline is realistic, and that makes me uneasy.",
    "Of course there were delays, but nobody panicked.",
    "Reading long documents is easier for me early in the day.",
    "I felt proud when the client thanked us for the careful work.",
    "We might try pairing on the hardest tasks next month.",
    "The weather was grey and gloomy, which matched my mood on Tuesday.",
    "Writing things down usually helps me think more clearly.",
    "I got annoyed when the meeting ran over by forty minutes.",
    "Our planning sessions seem shorter and more focused now.",
    "I enjoy learning from people who approach problems differently.",
    "Sometimes I rush decisions and regret it later.",
]


def make_profiles(rng: random.Random) -> list[dict[str, int]]:
    ids = [it.id for it in load_instrument("ipip-neo-120").items]
    return [{i: rng.randint(1, 5) for i in ids} for _ in range(PROFILES)]


def make_texts(rng: random.Random) -> list[str]:
    texts = []
    for _ in range(PROFILES):
        words: list[str] = []
        while len(words) < 300:
            words += rng.choice(SENTENCES).split()
        texts.append(" ".join(words[:300]))
    return texts


def run(case: Callable[[int], object]) -> float:
    """Calls per CPU-second, run for SECONDS_PER_CASE of wall-clock time.

    CPU time of this process (time.process_time) is the divisor so that other
    work on a shared machine does not distort the figure; the loop itself is
    bounded by wall-clock time so the script always stops.
    """
    case(0)  # warm caches (instrument parsing, VADER lexicon)
    count = 0
    cpu_start = time.process_time()
    deadline = time.perf_counter() + SECONDS_PER_CASE
    while time.perf_counter() < deadline:
        for _ in range(50):
            case(count)
            count += 1
    return count / (time.process_time() - cpu_start)


def main() -> None:
    rng = random.Random(20260101)
    profiles = make_profiles(rng)
    texts = make_texts(rng)
    instrument = load_instrument("ipip-neo-120")
    facet_of = [(it.id, it.scale) for it in instrument.items]
    demographics = {"sex": "female", "age": 34}

    def baseline(n: int) -> object:
        answers = profiles[n % PROFILES]
        totals: dict[str, int] = {}
        for item_id, facet in facet_of:
            totals[facet] = totals.get(facet, 0) + answers[item_id]
        return totals

    def neo(n: int) -> object:
        return score(instrument, profiles[n % PROFILES], demographics=demographics)

    def neo_text(n: int) -> object:
        return score(
            instrument,
            profiles[n % PROFILES],
            demographics=demographics,
            free_text=texts[(n * 7) % PROFILES],
        )

    def neo_json(n: int) -> object:
        return score(instrument, profiles[n % PROFILES], demographics=demographics).to_json()

    def neo_text_json(n: int) -> object:
        return score(
            instrument,
            profiles[n % PROFILES],
            demographics=demographics,
            free_text=texts[(n * 7) % PROFILES],
        ).to_json()

    base = run(baseline)
    rates = {
        "neo report": (run(neo), 2000),
        "neo report + to_json": (run(neo_json), 2000),
        "neo report + 300-word text": (run(neo_text), 500),
        "neo report + 300-word text + to_json": (run(neo_text_json), 500),
    }
    version = sys.version.split()[0]
    print(f"python {version}, {SECONDS_PER_CASE:g} s per case, one core, rates per CPU-second")
    print(f"{'baseline (sum 120 answers per facet)':<40} {base:10,.0f} loops/s")
    for name, (rate, target) in rates.items():
        print(
            f"{name:<40} {rate:10,.0f} reports/s  target >= {target:,}"
            f"  engine / baseline = {rate / base:.4f}"
        )


if __name__ == "__main__":
    main()
