"""Security headers on every response, and the card details page's Content-Security-Policy
(fact sheet B6 no-cache, B10 helmet defaults and CSP)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pay_common.asgi import HttpMiddleware

_NO_CACHE = [
    (b"cache-control", b"private, no-cache, no-store, must-revalidate"),
    (b"expires", b"-1"),
    (b"pragma", b"no-cache"),
]
_ALWAYS = [
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-dns-prefetch-control", b"off"),
    (b"x-download-options", b"noopen"),
    (b"x-permitted-cross-domain-policies", b"none"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
#: The GOV.UK template's js-enabled snippet (fact sheet B10), allowed by hash as pay-frontend does.
_GOVUK_TEMPLATE_SNIPPET = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"


def card_details_csp(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "frame-src": "'self' https://secure-test.worldpay.com https://centinelapi.cardinalcommerce.com",
        "child-src": "'self' https://secure-test.worldpay.com https://centinelapi.cardinalcommerce.com",
        "img-src": "'self' https://www.google-analytics.com https://www.gstatic.com",
        "script-src": f"'self' 'unsafe-inline' https://www.google-analytics.com 'nonce-{nonce}' "
        + _GOVUK_TEMPLATE_SNIPPET,
        "connect-src": "'self' https://www.google-analytics.com https://google.com/pay "
        "https://www.google.com/pay https://pay.google.com",
        "style-src": "'self' 'unsafe-inline'",
        "form-action": "'self'",
        "font-src": "'self'",
        "frame-ancestors": "'self'",
        "manifest-src": "'self'",
        "media-src": "'none'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "report-uri": "/csp-report",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware(HttpMiddleware):
    """Adds the headers above to every response; dynamic pages also get the no-cache trio so the
    back button and refresh re-ask the server, whose state enforcer picks the page."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        super().__init__(app)
        self.https = https

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_static = scope["path"].startswith(("/static/", "/assets/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers.extend(_ALWAYS)
                if not is_static:
                    headers.extend(_NO_CACHE)
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
