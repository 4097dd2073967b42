"""``pay-admin``: create gateway accounts and manage their API keys through connector's HTTP API.

Run as ``pay-admin ...`` or ``python -m connector.cli ...``::

    pay-admin create-account --service-name "My service"
    pay-admin create-key 1 --description "Production server"
    pay-admin list-keys 1 [--revoked]
    pay-admin revoke-key 1 <token_link>
    pay-admin service-token --ttl 300
    pay-admin dead-jobs [--task charge.capture]
    pay-admin retry-job <job id>

Every command talks HTTP to a running connector (``--connector-url``, default
http://127.0.0.1:9300, or ``PAY_ADMIN_CONNECTOR_URL``); nothing touches the database
directly, so the CLI works against any deployment it can reach. Each call carries a service
token signed with ``PAY_ADMIN_SERVICE_TOKEN_KEY`` (connector's ``service_token_keys["pay_admin"]``);
``service-token`` prints one for the operators' other tools (``curl -H "X-Service-Token: ..."``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import typer
from typer.core import TyperGroup

from pay_common.ids import new_uuid_hex
from pay_common.service_auth import DEVELOPMENT_KEY, MAX_TTL_SECONDS, SERVICE_TOKEN_HEADER, ServiceTokenSigner

DEFAULT_CONNECTOR_URL = "http://127.0.0.1:9300"
#: The caller name connector knows the CLI's key by.
ADMIN_CALLER = "pay_admin"
KEY_ENV_VAR = "PAY_ADMIN_SERVICE_TOKEN_KEY"


class AdminError(Exception):
    """Connector refused the request or could not be reached; the message says which."""


class _AdminCommands(TyperGroup):
    """The command group: an :class:`AdminError` from any command is reported here, once.

    The command ends with ``error: <message>`` on stderr and exit code 1, so the commands
    themselves only say what they ask of connector and what they print.
    """

    def invoke(self, ctx: Any) -> Any:  # ctx: the click Context typer vendors (typer._click)
        try:
            return super().invoke(ctx)
        except AdminError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from exc


app = typer.Typer(
    cls=_AdminCommands,
    help="Administer GOV.UK Pay accounts, API keys and dead jobs.",
    no_args_is_help=True,
)


def _message_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(part) for part in message)
    return str(message) if message else json.dumps(body)


class AdminClient:
    """The connector calls behind the CLI (also used by ``scripts/demo.py``)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        service_token_key: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        key = service_token_key or os.environ.get(KEY_ENV_VAR) or DEVELOPMENT_KEY
        self.signer = ServiceTokenSigner(ADMIN_CALLER, key)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            event_hooks={"request": [self._sign]},
        )

    def _sign(self, request: httpx.Request) -> None:
        request.headers[SERVICE_TOKEN_HEADER] = self.signer.token()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, *, ok: tuple[int, ...], **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise AdminError(f"cannot reach connector at {self.base_url} ({type(exc).__name__})") from exc
        if response.status_code not in ok:
            raise AdminError(f"connector answered {response.status_code}: {_message_of(response)}")
        return response

    def create_account(
        self,
        *,
        service_name: str,
        description: str | None = None,
        payment_provider: str = "sandbox",
        account_type: str = "test",
        service_id: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "payment_provider": payment_provider,
            "type": account_type,
            "service_name": service_name,
            "service_id": service_id or new_uuid_hex(),
            "description": description,
        }
        created: dict[str, Any] = self._call("POST", "/v1/api/accounts", ok=(201,), json=body).json()
        return created

    def account_exists(self, account_id: str) -> bool:
        response = self._call("GET", f"/v1/api/accounts/{account_id}", ok=(200, 404))
        return response.status_code == 200

    def create_key(self, account_id: str, *, description: str, created_by: str) -> str:
        body = {"account_id": account_id, "description": description, "created_by": created_by}
        key: str = self._call("POST", "/v1/frontend/auth", ok=(200,), json=body).json()["token"]
        return key

    def list_keys(self, account_id: str, *, revoked: bool = False) -> list[dict[str, Any]]:
        params = {"state": "revoked"} if revoked else {}
        response = self._call("GET", f"/v1/frontend/auth/{account_id}", ok=(200,), params=params)
        tokens: list[dict[str, Any]] = response.json()["tokens"]
        return tokens

    def revoke_key(self, account_id: str, token_link: str) -> str:
        response = self._call(
            "DELETE", f"/v1/frontend/auth/{account_id}", ok=(200,), json={"token_link": token_link}
        )
        revoked: str = response.json()["revoked"]
        return revoked

    def dead_jobs(self, *, task: str | None = None) -> list[dict[str, Any]]:
        params = {"task": task} if task else {}
        jobs: list[dict[str, Any]] = self._call(
            "GET", "/v1/tasks/dead-jobs", ok=(200,), params=params
        ).json()["jobs"]
        return jobs

    def mailbox(self, *, limit: int) -> list[dict[str, Any]]:
        response = self._call("GET", "/v1/api/emails/mailbox", ok=(200,), params={"limit": limit})
        emails: list[dict[str, Any]] = response.json()["emails"]
        return emails

    def retry_job(self, job_id: int) -> None:
        self._call("POST", f"/v1/tasks/dead-jobs/{job_id}/retry", ok=(204,))

    def resolve_key(self, api_key: str) -> dict[str, Any] | None:
        """The account behind a key, or ``None`` when the key is unknown or revoked."""
        response = self._call(
            "GET", "/v1/api/auth", ok=(200, 401), headers={"Authorization": f"Bearer {api_key}"}
        )
        if response.status_code == 401:
            return None
        resolved: dict[str, Any] = response.json()
        return resolved


def _client(ctx: typer.Context) -> AdminClient:
    client = ctx.obj
    assert isinstance(client, AdminClient)
    return client


def _emit(as_json: bool, data: Any, text: str) -> None:
    typer.echo(json.dumps(data, indent=2) if as_json else text)


def _emit_list(
    as_json: bool,
    items: list[dict[str, Any]],
    text_of: Callable[[dict[str, Any]], str],
    nothing: str,
    *,
    separator: str = "\n",
) -> None:
    """A list result: the JSON list, or each item's text (one a line by default), or ``nothing``."""
    _emit(as_json, items, separator.join(text_of(item) for item in items) if items else nothing)


JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.callback()
def main(
    ctx: typer.Context,
    connector_url: Annotated[
        str,
        typer.Option("--connector-url", envvar="PAY_ADMIN_CONNECTOR_URL", help="Base URL of connector."),
    ] = DEFAULT_CONNECTOR_URL,
    service_token_key: Annotated[
        str,
        typer.Option(
            "--service-token-key",
            envvar=KEY_ENV_VAR,
            help="Key that signs the CLI's service tokens.",
            show_default=False,
        ),
    ] = DEVELOPMENT_KEY,
) -> None:
    """Administer GOV.UK Pay accounts and API keys through connector."""
    # stdout is the command's result (tokens, --json): the HTTP client's per-request lines (httpx's
    # and, at DEBUG, httpcore's) never belong there, whatever logging the host process set up.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    client = AdminClient(connector_url, service_token_key=service_token_key)
    ctx.obj = client
    ctx.call_on_close(client.close)


@app.command("create-account")
def create_account(
    ctx: typer.Context,
    service_name: Annotated[
        str, typer.Option(help="Name of the service the account belongs to.")
    ] = "Demo service",
    description: Annotated[str | None, typer.Option(help="Free-text description.")] = None,
    provider: Annotated[str, typer.Option(help="Payment provider.")] = "sandbox",
    account_type: Annotated[str, typer.Option("--type", help="test or live.")] = "test",
    service_id: Annotated[str | None, typer.Option(help="Service id (default: a new one).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a gateway account (a sandbox test account unless told otherwise)."""
    account = _client(ctx).create_account(
        service_name=service_name,
        description=description,
        payment_provider=provider,
        account_type=account_type,
        service_id=service_id,
    )
    account_id = account["gateway_account_id"]
    _emit(as_json, account, f"Created {provider} {account_type} account {account_id}")


@app.command("create-key")
def create_key(
    ctx: typer.Context,
    account_id: Annotated[str, typer.Argument(help="Gateway account id.")],
    description: Annotated[str, typer.Option(help="What the key is for.")] = "Created with pay-admin",
    created_by: Annotated[str, typer.Option(help="Who created the key.")] = "pay-admin",
    as_json: JsonOption = False,
) -> None:
    """Create an API key for an account; the key is printed once and never stored in full."""
    key = _client(ctx).create_key(account_id, description=description, created_by=created_by)
    _emit(as_json, {"account_id": account_id, "token": key}, key)


def _key_text(key: dict[str, Any]) -> str:
    used = (
        f"revoked {key['revoked']}" if key.get("revoked") else f"last used {key.get('last_used') or 'never'}"
    )
    return "\t".join(
        [key["token_link"], key["description"], key.get("created_by") or "-", key["issued_date"], used]
    )


@app.command("list-keys")
def list_keys(
    ctx: typer.Context,
    account_id: Annotated[str, typer.Argument(help="Gateway account id.")],
    revoked: Annotated[
        bool, typer.Option("--revoked", help="List revoked keys instead of active ones.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List an account's active (or revoked) API keys; the keys themselves are never shown."""
    _emit_list(as_json, _client(ctx).list_keys(account_id, revoked=revoked), _key_text, "No keys.")


@app.command("revoke-key")
def revoke_key(
    ctx: typer.Context,
    account_id: Annotated[str, typer.Argument(help="Gateway account id.")],
    token_link: Annotated[str, typer.Argument(help="token_link of the key (see list-keys).")],
    as_json: JsonOption = False,
) -> None:
    """Revoke one API key: it stops working within the public API's key cache time."""
    revoked = _client(ctx).revoke_key(account_id, token_link)
    _emit(as_json, {"token_link": token_link, "revoked": revoked}, f"Revoked {token_link} at {revoked}")


def _job_text(job: dict[str, Any]) -> str:
    return "\t".join(
        [
            str(job["id"]),
            job["task"],
            json.dumps(job["args"]),
            f"{job['attempts']} attempts",
            job["failed_at"] or "-",
        ]
    )


@app.command("dead-jobs")
def dead_jobs(
    ctx: typer.Context,
    task: Annotated[str | None, typer.Option(help="Only jobs of this task (e.g. charge.capture).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the jobs whose retries ran out (dead letters), oldest first."""
    _emit_list(as_json, _client(ctx).dead_jobs(task=task), _job_text, "No dead jobs.")


@app.command("retry-job")
def retry_job(
    ctx: typer.Context,
    job_id: Annotated[int, typer.Argument(help="Id of a dead job (see dead-jobs).")],
    as_json: JsonOption = False,
) -> None:
    """Queue a dead job again, with its whole retry schedule."""
    _client(ctx).retry_job(job_id)
    _emit(as_json, {"id": job_id, "status": "todo"}, f"Job {job_id} queued again")


def _email_text(email: dict[str, Any]) -> str:
    lines = [
        f"{email['delivered_date']}  {email['kind']}  to {email['to']}  (template {email['template_id']})",
        f"  payment {email['charge_id']}" + (f", refund {email['refund_id']}" if email["refund_id"] else ""),
    ]
    lines += [f"  {name}: {value}" for name, value in (email["personalisation"] or {}).items()]
    return "\n".join(lines)


@app.command("mailbox")
def mailbox(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many emails, newest first.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Emails delivered to the local mailbox (CONNECTOR_EMAIL_DELIVERY=local, make run's default)."""
    emails = _client(ctx).mailbox(limit=limit)
    _emit_list(as_json, emails, _email_text, "The mailbox is empty.", separator="\n\n")


@app.command("service-token")
def service_token(
    ctx: typer.Context,
    ttl: Annotated[
        int, typer.Option(min=1, max=MAX_TTL_SECONDS, help="Seconds the token stays valid.")
    ] = 300,
) -> None:
    """Print a service token for connector's API routes (header X-Service-Token), valid for --ttl seconds."""
    typer.echo(_client(ctx).signer.mint(ttl))


if __name__ == "__main__":
    app()
