"""The 3-D Secure pages: the iframe page, the way out to the issuer, the way back in, the handler."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from frontend.dependencies import ConnectorDep, enforce, guarded_charge, load_charge
from frontend.openapi import THREE_DS_FORM
from frontend.pages import render, system_error
from frontend.state import Action
from frontend.three_ds.service import issuer_step, next_path_after_3ds, three_ds_payload

router = APIRouter(tags=["3-D Secure"])

_RETURN_FIELDS = ("PaRes", "MD", "providerStatus", "redirectResult")


@router.get("/card_details/{charge_id}/3ds_required")
async def three_ds_required(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.THREE_DS_REQUIRED)
    return render(request, "three_ds_required.html", charge=charge)


@router.get("/card_details/{charge_id}/3ds_required_out")
async def three_ds_required_out(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.THREE_DS_REQUIRED)
    step = issuer_step(charge)
    data = charge.auth_3ds_data
    term_url = f"{request.url.scheme}://{request.url.netloc}/card_details/{charge_id}/3ds_required_in"
    if step == "sandbox":
        settings = request.app.state.settings
        return render(
            request,
            "three_ds_issuer.html",
            charge=charge,
            term_url=term_url,
            md=(data.md if data else None) or "",
            pass_value=settings.sandbox_3ds_pass_pa_response,
            fail_value=settings.sandbox_3ds_fail_pa_response,
        )
    if step == "post" and data is not None:
        fields = {"PaReq": data.pa_request or "", "TermUrl": term_url}
        if data.md:
            fields["MD"] = data.md
        return render(
            request, "auto_post.html", charge=charge, action=data.issuer_url, target="_self", fields=fields
        )
    if step == "html" and data is not None and data.html_out:
        try:
            return HTMLResponse(base64.b64decode(data.html_out, validate=True).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError):
            return system_error(request, charge)
    if step == "redirect" and data is not None and data.issuer_url:
        return RedirectResponse(data.issuer_url, status_code=303)
    # Worldpay 3DS Flex challenges need the Worldpay integration, which this deployment has not got.
    return system_error(request, charge)


async def _three_ds_in(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    # No session cookie needed: the issuer's cross-site POST may arrive without it. We only bounce
    # the answer, as a first-party request from the top window, to the handler.
    charge = await load_charge(request, connector, charge_id, require_session=False)
    source = await request.form() if request.method == "POST" else request.query_params
    fields = {name: value for name in _RETURN_FIELDS if isinstance(value := source.get(name), str) and value}
    if "status" in request.query_params:
        fields["providerStatus"] = request.query_params["status"]
    return render(
        request,
        "auto_post.html",
        charge=charge,
        action=f"/card_details/{charge_id}/3ds_handler",
        target="_top",
        fields=fields,
    )


for suffix in ("", "/epdq", "/adyen"):
    # One route per method, so each gets its own OpenAPI operation id.
    for method in ("GET", "POST"):
        router.add_api_route(
            f"/card_details/{{charge_id}}/3ds_required_in{suffix}",
            _three_ds_in,
            methods=[method],
            openapi_extra=THREE_DS_FORM if method == "POST" else None,
            name=f"three_ds_in{suffix.replace('/', '_')}_{method.lower()}",
        )


@router.post("/card_details/{charge_id}/3ds_handler", openapi_extra=THREE_DS_FORM)
async def three_ds_handler(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await load_charge(request, connector, charge_id)
    enforce(request, charge, Action.THREE_DS_HANDLER)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    settings = request.app.state.settings
    payload = three_ds_payload(
        form,
        sandbox_pass=settings.sandbox_3ds_pass_pa_response,
        sandbox_fail=settings.sandbox_3ds_fail_pa_response,
    )
    path = next_path_after_3ds(await connector.three_ds(charge_id, payload))
    if path is None:
        return system_error(request, charge)
    return RedirectResponse(f"/card_details/{charge_id}{path}", status_code=303)
