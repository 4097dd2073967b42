"""The ceiling for this stack: FastAPI + asyncpg doing one INSERT per request, nothing else.

Run by ``scripts/bench/create_payment.py``; reads ``BENCH_DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

DDL = """
CREATE TABLE IF NOT EXISTS bench_bare_charges (
    id bigserial PRIMARY KEY,
    external_id char(26) NOT NULL,
    amount bigint NOT NULL,
    description varchar(255) NOT NULL,
    reference varchar(255) NOT NULL,
    return_url text NOT NULL,
    created_date timestamptz NOT NULL DEFAULT now()
)
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    dsn = os.environ["BENCH_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    app.state.pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
    async with app.state.pool.acquire() as connection:
        await connection.execute(DDL)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/v1/payments", status_code=201)
async def create(request: Request) -> JSONResponse:
    body: dict[str, Any] = await request.json()
    external_id = secrets.token_hex(13)
    async with request.app.state.pool.acquire() as connection:
        row_id = await connection.fetchval(
            "INSERT INTO bench_bare_charges (external_id, amount, description, reference, return_url)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id",
            external_id,
            body["amount"],
            body["description"],
            body["reference"],
            body["return_url"],
        )
    return JSONResponse({"payment_id": external_id, "id": row_id, **body}, status_code=201)
