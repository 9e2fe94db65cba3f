"""`atlasctl take`: answer a questionnaire at the terminal.

Answers are saved page by page (every PAGE_SIZE answers) and whatever is pending is
saved when the person stops: `q`, the end of the input, or Ctrl-C. Every way out after
the assessment exists says how to continue it.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import Any

import click

from insight_atlas.cli.atlasctl.client import path_segment
from insight_atlas.cli.atlasctl.commands.questionnaires import (
    accepted_consent_version,
    resume_hints,
)
from insight_atlas.cli.atlasctl.errors import CommandFailed
from insight_atlas.cli.atlasctl.exit_codes import ExitCode
from insight_atlas.cli.atlasctl.invocation import Invocation, json_option, pass_invocation
from insight_atlas.cli.atlasctl.output import day
from insight_atlas.cli.atlasctl.report_view import print_report

PAGE_SIZE = 10
ANSWER_CHOICES = ("1", "2", "3", "4", "5")
QUIT = "q"


class Stop(Enum):
    FINISHED = "finished"
    QUIT = "quit"
    INPUT_ENDED = "input ended"


@click.command()
@click.argument("instrument", default="mini-ipip")
@click.option("--work-style", is_flag=True, help="Add the work-style items.")
@click.option("--resume", "assessment_id", help="Continue a saved assessment by id.")
@click.option("--yes", "assume_yes", is_flag=True, help="Accept the consent text.")
@json_option
@pass_invocation
def take(
    invocation: Invocation,
    instrument: str,
    work_style: bool,
    assessment_id: str | None,
    assume_yes: bool,
) -> None:
    """Answer a questionnaire (q saves and quits; answers are saved every 10 and on exit).

    Answers are read one per line from stdin, so they can be piped in. A submitted
    assessment given to --resume shows its report id and exits 0.
    """
    api = invocation.api
    if assessment_id is not None:
        segment = path_segment(assessment_id, "the assessment id")
        assessment = api.json("GET", f"/v1/assessments/{segment}")
        if assessment["status"] == "submitted":
            _already_submitted(invocation, assessment)
            return
        instrument_document = _instrument(invocation, assessment["instrument"])
    else:
        # Before the consent question: an unknown key or a plan without the instrument
        # is said before anyone is asked to agree to anything.
        instrument_document = _instrument(invocation, instrument)
        _ensure_plan_includes(invocation, instrument_document)
        version = accepted_consent_version(invocation, assume_yes)
        assessment = api.json(
            "POST",
            "/v1/assessments",
            json={
                "instrument": instrument,
                "consent_version": version,
                "include_work_style": work_style,
            },
        )
        invocation.out.say(f"assessment {assessment['id']} started")
    Questionnaire(invocation, assessment, instrument_document).run()


def _instrument(invocation: Invocation, key: str) -> dict[str, Any]:
    segment = path_segment(key, "the instrument")
    instrument: dict[str, Any] = invocation.api.json(
        "GET", f"/v1/instruments/{segment}", auth=False
    )
    return instrument


def _ensure_plan_includes(invocation: Invocation, instrument: dict[str, Any]) -> None:
    profile = invocation.api.json("GET", "/v1/me")
    if f"instrument:{instrument['key']}" in profile["entitlements"]:
        return
    raise CommandFailed(
        f"{instrument['title']} needs the {instrument['plan']} plan; yours is {profile['plan']}",
        ExitCode.UPGRADE_REQUIRED,
        code="upgrade_required",
        hints=[f"upgrade with: {invocation.command('upgrade pro_monthly')} (or pro_yearly)"],
    )


def _already_submitted(invocation: Invocation, assessment: dict[str, Any]) -> None:
    if invocation.out.json_mode:
        invocation.out.document(assessment)
        return
    report_id = assessment.get("report_id")
    invocation.out.say(
        f"assessment {assessment['id']} was submitted on {day(assessment.get('submitted_at'))};"
        f" its report is {report_id}"
    )
    invocation.out.say(f"show it with: {invocation.command(f'report {report_id}')}")


class Questionnaire:
    """One sitting: the items still to answer, the answers not yet saved."""

    def __init__(
        self, invocation: Invocation, assessment: dict[str, Any], instrument: dict[str, Any]
    ) -> None:
        self.invocation = invocation
        self.out = invocation.out
        self.api = invocation.api
        self.assessment_id: str = assessment["id"]
        self.saved = assessment  # the API's latest answer about it: --json prints it on q
        self.answered: int = assessment["answered"]
        self.total: int = assessment["total_items"]
        self.known_answers: set[str] = set(assessment["answers"])
        self.pending: dict[str, int] = {}
        self.include_work_style: bool = assessment["include_work_style"]
        self.instrument = instrument

    def run(self) -> None:
        try:
            items = self._items()
            scale = self.instrument["answer_scale"]
            self.out.wrapped(
                ", ".join(f"{option['value']} = {option['label']}" for option in scale)
            )
            stop = self._ask(items)
            self._save_page()
            if stop is Stop.QUIT:
                if self.out.json_mode:
                    self.out.document(self.saved)
                self.out.say("saved")
                for hint in self._resume_hints():
                    self.out.say(hint)
                return
            if stop is Stop.INPUT_ENDED:
                raise CommandFailed(
                    "the input ended before the last question",
                    ExitCode.INCOMPLETE,
                    code="input_ended",
                )
            self._save_free_text()
            document = self.api.json("POST", f"/v1/assessments/{self.assessment_id}/submit")
        except KeyboardInterrupt:
            self._save_after_interrupt()
            raise CommandFailed(
                "interrupted", ExitCode.INTERRUPTED, code="interrupted", hints=self._resume_hints()
            ) from None
        except CommandFailed as failure:
            failure.hints += self._resume_hints()
            raise
        if self.out.json_mode:
            self.out.document(document)
            return
        self.out.say("")
        print_report(self.out, document)

    def _items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = list(self.instrument["items"])
        if self.include_work_style:
            items += self.api.json("GET", "/v1/instruments/work-style", auth=False)["items"]
        return items

    def _ask(self, items: list[dict[str, Any]]) -> Stop:
        for index, item in enumerate(items, start=1):
            if item["id"] in self.known_answers:
                continue
            choice = self._read_choice(f"[{index}/{len(items)}] {item['text']} (1-5, q): ")
            if choice is None:
                return Stop.INPUT_ENDED
            if choice == QUIT:
                return Stop.QUIT
            self.pending[item["id"]] = int(choice)
            if len(self.pending) >= PAGE_SIZE:
                self._save_page()
        return Stop.FINISHED

    def _read_choice(self, prompt: str) -> str | None:
        """One answer per line; None at the end of the input. Ctrl-C raises, as anywhere."""
        while True:
            self.out.say(prompt, nl=False)
            line = sys.stdin.readline()
            if not line:
                self.out.say("")
                return None
            choice = line.strip().lower()
            if choice in ANSWER_CHOICES or choice == QUIT:
                return choice
            self.out.say("  answer 1 to 5, or q to save and quit")

    def _save_page(self) -> None:
        if not self.pending:
            return
        saved = self.api.json(
            "PUT",
            f"/v1/assessments/{self.assessment_id}/responses",
            json={"answers": self.pending},
        )
        self.known_answers.update(self.pending)
        self.pending.clear()
        self.saved = saved
        self.answered = saved["answered"]

    def _save_after_interrupt(self) -> None:
        try:
            self._save_page()
        except (CommandFailed, KeyboardInterrupt):
            unsaved = len(self.pending)
            self.out.hint(f"the last {unsaved} answers could not be saved")

    def _save_free_text(self) -> None:
        self.out.say("Optional: a few sentences about how you work (Enter to skip): ", nl=False)
        free_text = sys.stdin.readline()
        if not free_text:
            self.out.say("")
        if not free_text.strip():
            return
        try:
            self.api.call(
                "PUT",
                f"/v1/assessments/{self.assessment_id}/responses",
                json={"free_text": free_text.strip()},
            )
        except CommandFailed as failure:
            # The API's "nothing was saved" is about this text alone.
            failure.hints.append("the free text was not saved; the answers before it are")
            raise

    def _resume_hints(self) -> list[str]:
        return resume_hints(self.invocation, self.assessment_id, self.answered, self.total)


COMMANDS = [take]
