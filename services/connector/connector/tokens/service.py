"""One-time secure-redirect tokens as the payment pages use them (connector.md §5.2)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.schemas import AuthorisationMode
from connector.models import Charge, Token
from connector.tokens import repository
from connector.tokens.errors import TokenAlreadyUsed, TokenInvalid


async def get_for_payment_pages(session: AsyncSession, token_id: str) -> tuple[Token, Charge]:
    """The token and its charge; 404 ``Token invalid!`` when unknown or when it belongs to a
    moto_api charge (those tokens are one-time API credentials, never payment-page links)."""
    found = await repository.get_with_charge(session, token_id)
    if found is None or found[1].authorisation_mode.lower() == AuthorisationMode.MOTO_API:
        raise TokenInvalid()
    return found


async def mark_used(session: AsyncSession, token_id: str) -> None:
    """Burn the token: 204 for exactly one caller ever; 409 ``Token already used`` for every
    other (docs/decisions.md, "One-time tokens"); 404 when unknown."""
    if await repository.mark_used(session, token_id):
        return
    if await repository.exists(session, token_id):
        raise TokenAlreadyUsed()
    raise TokenInvalid()
