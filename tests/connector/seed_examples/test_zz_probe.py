import json
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import create_account, create_charge
from connector.models import Token

OUT = "/tmp/seeds_probe.txt"

async def dump(client, method, path, **kw):
    r = await client.request(method, path, **kw)
    try:
        body = json.dumps(r.json(), indent=1)
    except Exception:
        body = r.text
    with open(OUT, "a") as f:
        f.write(f"\n### {method} {path} {kw.get('json', '')}\n{r.status_code} {dict(r.headers)}\n{body}\n")
    return r

@pytest.mark.asyncio
async def test_probe(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    open(OUT, "w").close()
    c = connector_client
    await dump(c, "POST", "/v1/tasks/expired-charges-sweep")
    await dump(c, "POST", "/v1/api/accounts", json={"payment_provider": "sandbox","description": "This is an account for the GOV.UK Pay team","analytics_id": "PAY-GA-123","type": "test"})
    acc = await create_account(db_session, id=3121)
    await dump(c, "GET", "/v1/api/accounts/3121")
    await dump(c, "GET", "/v1/api/accounts?accountIds=1,2&payment_provider=worldpay")
    await dump(c, "GET", "/v1/frontend/accounts/3121")
    r = await dump(c, "POST", "/v1/api/accounts/3121/charges", json={"amount": 5000,"description": "The payment description (shown to the user on the payment pages)","reference": "The reference issued by the government service for this payment","gateway_account_id": "10","return_url": "https://govservice.example.com/return_from_payments"})
    cid = r.json().get("charge_id")
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/{cid}")
    await dump(c, "GET", f"/v1/frontend/charges/{cid}")
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/{cid}/events")
    await dump(c, "PUT", f"/v1/frontend/charges/{cid}/status", json={"new_status": "CREATED"})
    await dump(c, "PUT", f"/v1/frontend/charges/{cid}/status", json={"new_status": "ENTERING CARD DETAILS"})
    await dump(c, "POST", f"/v1/frontend/charges/{cid}/cards", json={"card_number": "4242424242424242","card_brand": "visa","cvc": "123","expiry_date": "11/17","address": {"line1": "The street","city": "The city","postcode": "W1 2CP","country": "GB"}})
    await dump(c, "POST", f"/v1/frontend/charges/{cid}/capture")
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/{cid}")
    await dump(c, "GET", "/v1/api/accounts/3121/charges?status=cancelled")
    await dump(c, "GET", "/v1/api/accounts/3121/charges", headers={"Accept": "text/csv"})
    await dump(c, "POST", "/v1/api/accounts/3121/telephone-charges", json={"amount": 5000,"reference": "The reference issued by the government service for this payment","description": "The payment description (shown to the user on the payment pages)","processor_id": "183f2j8923j8","provider_id": "17498-8412u9-1273891239","payment_outcome": {"status": "failed","code": "P0010","supplemental": {"error_code": "ECKOH01234","error_message": "textual message describing error code"}},"card_type": "master-card","card_expiry": "02/19","last_four_digits": "1234","first_six_digits": "654321"})
    await dump(c, "GET", "/v1/api/accounts/3121/email-notification")
    await dump(c, "POST", "/v1/api/accounts/3121/email-notification", json={"custom-email-text": "lorem ipsum"})
    await dump(c, "POST", "/v1/api/accounts/111/email-notification", json={"custom-email-text": "lorem ipsum"})
    await dump(c, "POST", "/v1/api/accounts/3121/email-notification", json={})
    await dump(c, "PATCH", "/v1/api/accounts/3121", json={"op":"replace", "path":"allow_apple_pay", "value": True})
    await dump(c, "PATCH", "/v1/api/accounts/3121", json={"op":"replace", "path":"corporate_credit_card_surcharge_amount", "value": 100})
    await dump(c, "PATCH", "/v1/api/accounts/3121", json={"op":"replace", "path":"allow_web_payments", "value": True})
    await dump(c, "PATCH", "/v1/api/accounts/3121/email-notification", json={"op":"replace", "path":"enabled", "value": False})
    await dump(c, "PATCH", "/v1/api/accounts/111/email-notification", json={"op":"replace", "path":"enabled", "value": False})
    await dump(c, "PATCH", "/v1/api/accounts/3121/email-notification", json={"op":"replace", "path":"x", "value": False})
    await dump(c, "PATCH", "/v1/api/accounts/3121/description-analytics-id", json={"description":"desc", "analytics_id":"id"})
    await dump(c, "PATCH", "/v1/api/accounts/3121/description-analytics-id", json={})
    await dump(c, "PUT", "/v1/frontend/accounts/3121", json={"username": "a-user-name","password": "a-password","merchant_id": "a-merchant-id"})
    await dump(c, "PUT", "/v1/frontend/accounts/111222333", json={"username": "a-user-name","password": "a-password","merchant_id": "a-merchant-id"})
    await dump(c, "POST", "/v1/api/accounts/3121/charges/123456/cancel")
    await dump(c, "POST", "/v1/api/accounts/3121/charges/abc/capture")
    await dump(c, "GET", "/v1/frontend/tokens/a69a2cf3-d5d1-408f-b196-4b716767b507")
    await dump(c, "GET", "/v1/frontend/tokens/a69a2cf3-d5d1-408f-b196-4b716767b507/charge")
    await dump(c, "POST", "/v1/frontend/tokens/a69a2cf3-d5d1-408f-b196-4b716767b507/used")
    await dump(c, "DELETE", "/v1/frontend/tokens/a69a2cf3-d5d1-408f-b196-4b716767b507")
    await dump(c, "POST", f"/v1/api/accounts/3121/charges/{cid}/refunds", json={"amount": 2500,"refund_amount_available": 5000,"user_external_id": "AA213FD51B3801043FBC"})
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/{cid}/refunds")
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/asdwa32wd23442rwe24/refunds")
    await dump(c, "GET", f"/v1/api/accounts/3121/charges/{cid}/refunds/123")
    await dump(c, "GET", f"/v1/api/accounts/3121/stripe-setup")
    await dump(c, "GET", f"/v1/api/accounts/3121/stripe-account")
    await dump(c, "GET", "/v1/api/reports/performance-report")
    await dump(c, "GET", "/v1/api/reports/gateway-account-performance-report")
    await dump(c, "GET", "/v1/api/reports/daily-performance-report?date=2018-06-21T00:00:00Z")
    await dump(c, "GET", "/v1/api/accounts/3121/transactions-summary?from_date=2017-11-03T00:00:00Z&to_date=2017-11-10T00:00:00Z")
    await dump(c, "GET", "/v1/frontend/accounts?accountIds=1,2&payment_provider=worldpay")
