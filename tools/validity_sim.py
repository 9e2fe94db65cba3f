"""Simulated respondents for calibrating and checking the validity panel.

Seeded, pure Python (``random.Random``), so every number derived from a
simulation is reproducible byte for byte. Used by tools/derive_validity.py and
bench/validity.py.

* ``latent_answers``: a latent trait model. Each person has standard-normal
  domain scores; a facet is ``facet_loading * domain + unique part``; an item is
  ``item_loading * scale + noise``; the keyed answer is
  ``round(3 + spread * item)`` clipped to 1..5, reversed for minus-keyed items.
* ``normal_answers``: draws from the multivariate normal with an open sample's
  item means and covariance, rounded and clipped to 1..5.
* ``uniform_answers``: every answer uniformly 1..5 (random responding).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from insight_atlas.engine import Instrument


@dataclass(frozen=True)
class LatentModel:
    facet_loading: float = 0.7
    item_loading: float = 0.65
    spread: float = 1.0


# A typical attentive respondent: with these loadings four items of one facet
# correlate about .39 (coefficient alpha about .72), near the published facet
# alphas of the IPIP-NEO-120.
NOMINAL = LatentModel()
# A deliberately noisier population (items correlate about .30 within a facet and
# answers spread wider): thresholds taken from it stay lenient if real attentive
# respondents are less consistent than the nominal model.
CONSERVATIVE = LatentModel(facet_loading=0.7, item_loading=0.55, spread=1.2)


def _clip(x: float) -> int:
    return min(5, max(1, math.floor(x + 0.5)))


def latent_answers(
    instrument: Instrument, n: int, seed: int, model: LatentModel = NOMINAL
) -> list[list[int]]:
    """``n`` answer vectors in ``instrument.item_order`` from the latent trait model."""
    rng = random.Random(seed)
    scale_of = {item.id: item.scale for item in instrument.items}
    leaf_scales = [s for s in instrument.scales if s.items]
    domains = sorted({s.domain or s.key for s in leaf_scales})
    unique = math.sqrt(1 - model.facet_loading**2)
    noise = math.sqrt(1 - model.item_loading**2)
    minus = {item.id for item in instrument.items if item.keyed == "minus"}
    out: list[list[int]] = []
    for _ in range(n):
        domain_z = {d: rng.gauss(0.0, 1.0) for d in domains}
        scale_z: dict[str, float] = {}
        for s in leaf_scales:
            if s.domain is None:
                scale_z[s.key] = domain_z[s.key]
            else:
                scale_z[s.key] = model.facet_loading * domain_z[s.domain] + unique * rng.gauss(
                    0.0, 1.0
                )
        row: list[int] = []
        for item_id in instrument.item_order:
            latent = model.item_loading * scale_z[scale_of[item_id]] + noise * rng.gauss(0.0, 1.0)
            keyed = _clip(3 + model.spread * latent)
            row.append(6 - keyed if item_id in minus else keyed)
        out.append(row)
    return out


def cholesky(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    n = len(matrix)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                low[i][j] = math.sqrt(matrix[i][i] - s)
            else:
                low[i][j] = (matrix[i][j] - s) / low[j][j]
    return low


def normal_answers(
    mean: Sequence[float], covariance: Sequence[Sequence[float]], n: int, seed: int
) -> list[list[int]]:
    """``n`` answer vectors from N(mean, covariance), rounded and clipped to 1..5."""
    rng = random.Random(seed)
    low = cholesky(covariance)
    size = len(mean)
    out: list[list[int]] = []
    for _ in range(n):
        z = [rng.gauss(0.0, 1.0) for _ in range(size)]
        out.append(
            [_clip(mean[i] + sum(low[i][k] * z[k] for k in range(i + 1))) for i in range(size)]
        )
    return out


def uniform_answers(items: int, n: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randint(1, 5) for _ in range(items)] for _ in range(n)]
