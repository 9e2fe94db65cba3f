"""Insight Atlas assessment engine: instruments as data, pure and reproducible scoring."""

from .engine import ENGINE_VERSION, score
from .errors import (
    AnswerError,
    AssessmentError,
    DemographicsError,
    FreeTextError,
    TimingError,
    UnknownInstrumentError,
)
from .models import Instrument
from .registry import list_instruments, load_instrument
from .report import DISCLAIMER, ScoredReport

__all__ = [
    "DISCLAIMER",
    "ENGINE_VERSION",
    "AnswerError",
    "AssessmentError",
    "DemographicsError",
    "FreeTextError",
    "Instrument",
    "ScoredReport",
    "TimingError",
    "UnknownInstrumentError",
    "list_instruments",
    "load_instrument",
    "score",
]
