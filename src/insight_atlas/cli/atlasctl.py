"""`atlasctl`: a command-line client of the Insight Atlas HTTP API.

The signed-in tokens live in a config file only its owner can read (mode 0600):
`$ATLASCTL_CONFIG`, else `~/.config/atlasctl/config.json`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import click
import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"
PAGE_SIZE = 10


def config_path() -> Path:
    explicit = os.environ.get("ATLASCTL_CONFIG")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "atlasctl" / "config.json"


def load_config() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def save_config(data: dict[str, Any]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created 0600 from the start: tokens are never readable by others, not even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle, indent=2)
    path.chmod(0o600)


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def path_segment(value: str, what: str) -> str:
    """An id typed by the user, as one URL path segment: never empty, never a path."""
    if not value.strip():
        fail(f"{what} is empty")
    return quote(value.strip(), safe="")


class Api:
    """HTTP calls with the stored tokens; refreshes once on an expired access token."""

    def __init__(self, api_url: str | None) -> None:
        self.config = load_config()
        self.base_url = api_url or self.config.get("api_url") or DEFAULT_API_URL
        self.http = httpx.Client(base_url=self.base_url, timeout=30)

    def call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, headers=self._headers(auth), **kwargs)
            if response.status_code == 401 and auth and self._refresh():
                response = self.http.request(method, path, headers=self._headers(auth), **kwargs)
        except httpx.HTTPError as exc:
            fail(f"cannot reach {self.base_url}: {exc}")
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                detail = error.get("details")
                extra = f" {json.dumps(detail)}" if detail else ""
                fail(f"{error['message']} ({error['code']}, HTTP {response.status_code}){extra}")
            except (ValueError, KeyError):
                fail(f"HTTP {response.status_code}: {response.text[:200]}")
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            status = response.status_code
            fail(f"{self.base_url} answered {method} {path} with HTTP {status}, not JSON")

    def _headers(self, auth: bool) -> dict[str, str]:
        token = self.config.get("access_token")
        if auth and not token:
            fail("not signed in: run 'atlasctl login' first")
        return {"Authorization": f"Bearer {token}"} if auth else {}

    def _refresh(self) -> bool:
        refresh_token = self.config.get("refresh_token")
        if not refresh_token:
            return False
        response = self.http.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
        if response.status_code != 200:
            return False
        self.store_tokens(response.json())
        return True

    def store_tokens(self, tokens: dict[str, Any]) -> None:
        self.config.update(
            api_url=self.base_url,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
        )
        save_config(self.config)


pass_api = click.make_pass_decorator(Api)


@click.group()
@click.option(
    "--api-url", envvar="ATLAS_API_URL", help=f"API base URL (default {DEFAULT_API_URL})."
)
@click.pass_context
def cli(context: click.Context, api_url: str | None) -> None:
    """Use Insight Atlas from the terminal."""
    context.obj = Api(api_url)


@cli.command()
@click.argument("email")
@click.password_option(help="At least 10 characters.")
@pass_api
def register(api: Api, email: str, password: str) -> None:
    """Create an account and sign in."""
    api.call("POST", "/v1/auth/register", auth=False, json={"email": email, "password": password})
    tokens = api.json(
        "POST", "/v1/auth/login", auth=False, json={"email": email, "password": password}
    )
    api.config["email"] = email
    api.store_tokens(tokens)
    click.echo(f"registered and signed in as {email}")


@cli.command()
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True)
@pass_api
def login(api: Api, email: str, password: str) -> None:
    """Sign in; the tokens are kept in the config file (mode 0600)."""
    tokens = api.json(
        "POST", "/v1/auth/login", auth=False, json={"email": email, "password": password}
    )
    api.config["email"] = email
    api.store_tokens(tokens)
    click.echo(f"signed in as {email}")


@cli.command()
@pass_api
def logout(api: Api) -> None:
    """Sign out and forget the tokens."""
    api.call("POST", "/v1/auth/logout")
    for key in ("access_token", "refresh_token"):
        api.config.pop(key, None)
    save_config(api.config)
    click.echo("signed out")


@cli.command()
@pass_api
def me(api: Api) -> None:
    """Show my profile, plan and entitlements."""
    profile = api.json("GET", "/v1/me")
    click.echo(f"{profile['email']}  (id {profile['id']})")
    click.echo(f"plan: {profile['plan']}  status: {profile['status']}")
    click.echo("entitlements: " + ", ".join(profile["entitlements"]))


@cli.command()
@pass_api
def instruments(api: Api) -> None:
    """List the questionnaires and the plan each needs."""
    for item in api.json("GET", "/v1/instruments", auth=False):
        kind = "add-on" if item["add_on"] else f"{item['plan']} plan"
        click.echo(
            f"{item['key']:<14} {item['item_count']:>3} items  ~{item['estimated_minutes']:>2} min"
            f"  {kind:<10} {item['title']}"
        )


def _consent_version(api: Api, assume_yes: bool) -> str:
    consent = api.json("GET", "/v1/consent", auth=False)
    click.echo(click.wrap_text(consent["text"]) + "\n")
    if not assume_yes and not click.confirm("Do you agree?", default=False):
        fail("consent is needed to take an assessment")
    return str(consent["version"])


@cli.command()
@click.argument("instrument", default="mini-ipip")
@click.option("--work-style", is_flag=True, help="Add the work-style items.")
@click.option("--resume", "assessment_id", help="Continue a saved assessment by id.")
@click.option("--yes", "assume_yes", is_flag=True, help="Accept the consent text.")
@pass_api
def take(
    api: Api, instrument: str, work_style: bool, assessment_id: str | None, assume_yes: bool
) -> None:
    """Answer a questionnaire interactively (q saves and quits; resume later)."""
    if assessment_id is None:
        version = _consent_version(api, assume_yes)
        assessment = api.json(
            "POST",
            "/v1/assessments",
            json={
                "instrument": instrument,
                "consent_version": version,
                "include_work_style": work_style,
            },
        )
        assessment_id = assessment["id"]
    else:
        assessment_id = path_segment(assessment_id, "the assessment id")
        assessment = api.json("GET", f"/v1/assessments/{assessment_id}")
    items = api.json("GET", f"/v1/instruments/{assessment['instrument']}", auth=False)["items"]
    if assessment["include_work_style"]:
        items += api.json("GET", "/v1/instruments/work-style", auth=False)["items"]
    scale = api.json("GET", f"/v1/instruments/{assessment['instrument']}", auth=False)[
        "answer_scale"
    ]
    click.echo("  ".join(f"{o['value']}={o['label']}" for o in scale))
    answers: dict[str, int] = dict(assessment["answers"])
    pending: dict[str, int] = {}
    total = len(items)

    def flush() -> None:
        if pending:
            api.call("PUT", f"/v1/assessments/{assessment_id}/responses", json={"answers": pending})
            pending.clear()

    for index, item in enumerate(items, start=1):
        if item["id"] in answers:
            continue
        choice = click.prompt(
            f"[{index}/{total}] {item['text']}",
            type=click.Choice(["1", "2", "3", "4", "5", "q"]),
            show_choices=True,
        )
        if choice == "q":
            flush()
            click.echo(f"saved; resume with: atlasctl take --resume {assessment_id}")
            return
        answers[item["id"]] = pending[item["id"]] = int(choice)
        if len(pending) >= PAGE_SIZE:
            flush()
    flush()
    free_text = click.prompt(
        "Optional: a few sentences about how you work (Enter to skip)",
        default="",
        show_default=False,
    )
    if free_text.strip():
        api.call("PUT", f"/v1/assessments/{assessment_id}/responses", json={"free_text": free_text})
    document = api.json("POST", f"/v1/assessments/{assessment_id}/submit")
    print_report(document)


@cli.command()
@click.argument("file", type=click.File("r"))
@click.option("--yes", "assume_yes", is_flag=True, help="Accept the consent text.")
@pass_api
def submit(api: Api, file: Any, assume_yes: bool) -> None:
    """Score answers from a JSON file: {"instrument", "answers", "free_text"?, …}."""
    try:
        data = json.load(file)
    except json.JSONDecodeError as exc:
        fail(f"{file.name} is not valid JSON: {exc}")
    if not isinstance(data, dict) or "answers" not in data:
        fail('the file needs an object with "instrument" and "answers"')
    version = _consent_version(api, assume_yes)
    start_body = {
        "instrument": data.get("instrument", "mini-ipip"),
        "consent_version": version,
        "include_work_style": bool(data.get("include_work_style", False)),
    }
    for key in ("sex", "age"):
        if key in data:
            start_body[key] = data[key]
    assessment = api.json("POST", "/v1/assessments", json=start_body)
    responses: dict[str, Any] = {"answers": data["answers"]}
    if data.get("free_text"):
        responses["free_text"] = data["free_text"]
    api.call("PUT", f"/v1/assessments/{assessment['id']}/responses", json=responses)
    print_report(api.json("POST", f"/v1/assessments/{assessment['id']}/submit"))


@cli.command()
@click.option("--limit", default=20, show_default=True)
@pass_api
def reports(api: Api, limit: int) -> None:
    """List my reports, newest first."""
    page = api.json("GET", "/v1/reports", params={"limit": limit})
    if not page["items"]:
        click.echo("no reports yet")
    for item in page["items"]:
        created = item["created_at"][:19]
        click.echo(
            f"{item['id']}  {created}  {item['instrument']:<14} validity: {item['validity']}"
        )
    if page["total"] > len(page["items"]):
        click.echo(f"({page['total']} in all)")


@cli.command()
@click.argument("report_id")
@pass_api
def report(api: Api, report_id: str) -> None:
    """Show one report as a readable table."""
    report_id = path_segment(report_id, "the report id")
    print_report(api.json("GET", f"/v1/reports/{report_id}"))


def print_report(document: dict[str, Any]) -> None:
    body = document["report"]
    click.echo(f"\nReport {document['id']} — {body['instrument']['title']}")
    norms = body.get("norms") or {}
    if norms.get("group_label"):
        click.echo(f"Compared with: {norms['group_label']}")
    click.echo(f"{'scale':<32} {'raw':>6} {'T':>6} {'%ile':>6}  {'band':<8} 95% T interval")
    for scale in body["scales"]:
        interval = scale.get("interval") or {}
        t_range = (
            f"{interval['t_low']:.0f}–{interval['t_high']:.0f}"
            if interval.get("t_low") is not None
            else ""
        )
        click.echo(
            f"{scale['label'][:32]:<32} {_fmt(scale.get('raw')):>6} {_fmt(scale.get('t')):>6}"
            f" {_fmt(scale.get('percentile')):>6}  {scale.get('band') or '':<8} {t_range}"
        )
    for scale in body.get("unscored_scales", []):
        click.echo(f"{scale.get('label', scale['key']):<32} not scored: {scale.get('reason', '')}")
    validity = body.get("validity", {})
    click.echo(f"\nResponse quality: {validity.get('overall')}")
    for statement in body.get("narrative", {}).get("statements", []):
        click.echo(click.wrap_text(f"- {statement['text']}", subsequent_indent="  "))
    click.echo(f"\n{body['disclaimer']}")


def _fmt(value: Any) -> str:
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


@cli.command()
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write."
)
@pass_api
def export(api: Api, output: str | None) -> None:
    """Download everything stored about me as JSON."""
    content = api.call("GET", "/v1/me/export").content
    if output:
        # 0600 from the first byte: the export holds everything stored about the person.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        Path(output).chmod(0o600)  # a file that existed keeps its old mode otherwise
        click.echo(f"written to {output}")
    else:
        click.echo(content.decode())


@cli.command()
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@pass_api
def purge(api: Api, assume_yes: bool) -> None:
    """Delete all my assessments, reports and share links (the account stays)."""
    if not assume_yes:
        click.confirm("Delete all your assessments and reports? This cannot be undone", abort=True)
    result = api.json("DELETE", "/v1/me/data")
    click.echo(
        f"deleted {result['assessments_deleted']} assessments, {result['reports_deleted']} reports,"
        f" {result['share_links_deleted']} share links"
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
