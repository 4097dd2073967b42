"""Charge search benchmark: a million charges, each filter's latency, and the CSV export.

Run: ``.venv/bin/python -m scripts.bench_search`` (``make bench`` runs it too).
``BENCH_SEARCH_EXPLAIN=<file>`` also writes the ``EXPLAIN ANALYZE`` plans of every filter
(docs/search.md); ``BENCH_SEARCH_CHARGES=<n>`` shrinks the data for a smoke test;
``BENCH_SEARCH_GC_FREEZE=1`` freezes the start-up objects out of the garbage collector first.

A dedicated database is created on the server ``find_test_server()`` picks, migrated to
0002, filled with COPY from a generator (1,000,000 charges over 20 accounts; account 1
holds exactly 100,000), then migrated to head so the 0003 search indexes are built on the
full table, and analysed. Every query goes through the real connector app (in process,
httpx's ASGI transport) with a page of 500. The database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import secrets
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

from pay_common.service_auth import MAX_TTL_SECONDS, SERVICE_TOKEN_HEADER, ServiceTokenSigner

#: ``BENCH_SEARCH_CHARGES`` shrinks the run for a smoke test; the recorded figures use the default.
TOTAL_CHARGES = int(os.environ.get("BENCH_SEARCH_CHARGES", "1000000"))
ACCOUNTS = 20
EXPORT_ROWS = TOTAL_CHARGES // 10  # all of account 1: 100,000 by default
REPEATS = 40
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600

WORDS = ["passport", "licence", "fishing", "permit", "parking", "council", "tax", "visa"]
FIRST_NAMES = ("Ada", "Bob", "Cleo", "Dev", "Eve", "Finn", "Gita", "Hugo", "Ines", "Jon", "Kira", "Liam")
LAST_NAMES = ("Smith", "Jones", "Patel", "Brown", "Khan", "Evans", "Wilson", "Taylor", "Lewis", "Walker")
BRANDS = ("visa", "master-card", "american-express", "maestro", "diners-club", "jcb")
BINS = tuple(f"{400000 + i * 1111}" for i in range(30))
STATUSES = (
    ("CAPTURED", 60),
    ("CREATED", 8),
    ("EXPIRED", 10),
    ("USER CANCELLED", 8),
    ("AUTHORISATION REJECTED", 6),
    ("CAPTURE SUBMITTED", 4),
    ("AUTHORISATION SUCCESS", 2),
    ("AUTHORISATION ERROR", 2),
)
STATUS_POOL = [status for status, weight in STATUSES for _ in range(weight)]

COLUMNS = (
    "external_id",
    "amount",
    "status",
    "gateway_transaction_id",
    "gateway_account_id",
    "gateway_account_credential_id",
    "payment_provider",
    "description",
    "reference",
    "email",
    "language",
    "first_digits_card_number",
    "last_digits_card_number",
    "card_brand",
    "card_type",
    "cardholder_name",
    "expiry_date",
    "agreement_external_id",
    "authorisation_mode",
    "created_date",
    "updated_date",
)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def account_of(index: int) -> int:
    """Account 1 gets exactly EXPORT_ROWS charges; the rest are spread over accounts 2..20."""
    return 1 if index < EXPORT_ROWS else 2 + index % (ACCOUNTS - 1)


def charge_rows(rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for i in range(TOTAL_CHARGES):
        account = account_of(i)
        created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        word = WORDS[i % len(WORDS)]
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // 7) % len(LAST_NAMES)]
        yield (
            f"{i:026d}",
            rng.randrange(100, 100_000),
            STATUS_POOL[i % len(STATUS_POOL)],
            f"gw-{i}",
            account,
            account,
            "sandbox",
            "A benchmark payment",
            f"{word.upper()}-{i:08d}",
            f"{first.lower()}.{last.lower()}{i % 5000}@example{i % 13}.org",
            "en",
            BINS[i % len(BINS)],
            f"{rng.randrange(10_000):04d}",
            BRANDS[i % len(BRANDS)],
            "CREDIT" if i % 3 else "DEBIT",
            f"{first} {last}",
            "12/29",
            f"agr{i:023d}" if i % 50 == 0 else None,
            "WEB",
            created,
            created,
        )


async def seed(url: str) -> float:
    from connector.migrate import upgrade_async

    await upgrade_async(url, "0002")
    connection = await asyncpg.connect(_dsn(url))
    started = time.perf_counter()
    try:
        for account in range(1, ACCOUNTS + 1):
            await connection.execute(
                "INSERT INTO gateway_accounts (id, external_id, type, service_name) VALUES ($1, $2, 'LIVE', 'Bench')",
                account,
                secrets.token_hex(16),
            )
            await connection.execute(
                "INSERT INTO gateway_account_credentials (id, external_id, gateway_account_id, payment_provider, "
                "credentials, state) VALUES ($1, $2, $1, 'sandbox', '{}', 'ACTIVE')",
                account,
                secrets.token_hex(16),
            )
        await connection.copy_records_to_table(
            "charges", records=charge_rows(random.Random(42)), columns=COLUMNS
        )
    finally:
        await connection.close()
    await upgrade_async(url, "head")  # 0003 builds the search indexes on the full table
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute("VACUUM ANALYZE")
        # Write the seeding's dirty pages out now, so no checkpoint competes with the timed requests.
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return time.perf_counter() - started


Case = tuple[int, dict[str, str]]


def filter_cases(rng: random.Random) -> dict[str, list[Case]]:
    """Per filter type, REPEATS (account, query) variants with values that exist in the data."""

    def other_account(index: int) -> int:
        return 2 + index % (ACCOUNTS - 1)

    def pick(values: list[dict[str, str]]) -> list[Case]:
        return [(other_account(n), rng.choice(values)) for n in range(REPEATS)]

    refs = [rng.randrange(EXPORT_ROWS, TOTAL_CHARGES) for _ in range(REPEATS)]
    agreements = [rng.randrange(EXPORT_ROWS, TOTAL_CHARGES, 50) for _ in range(REPEATS)]
    months = [START + timedelta(days=30 * m) for m in range(23)]
    return {
        "no filter (account only)": pick([{}]),
        "reference, partial (selective)": [(account_of(r), {"reference": f"{r:08d}"[-7:]}) for r in refs],
        "reference, partial (common word)": pick([{"reference": w[1:5]} for w in WORDS]),
        "email, partial": pick(
            [
                {"email": f"{n.lower()}.{s.lower()}{d}"}
                for n in FIRST_NAMES
                for s in LAST_NAMES
                for d in (1, 42, 317)
            ]
        ),
        "state": pick([{"state": s} for s in ("success", "failed", "created", "submitted", "error")]),
        "card_brand": pick([{"card_brand": b} for b in BRANDS]),
        "cardholder_name, partial": pick(
            [{"cardholder_name": f"{n} {s}"} for n in FIRST_NAMES for s in LAST_NAMES]
        ),
        "first_digits_card_number": pick([{"first_digits_card_number": b} for b in BINS]),
        "last_digits_card_number": pick(
            [{"last_digits_card_number": f"{n:04d}"} for n in range(0, 10_000, 7)]
        ),
        "from_date/to_date (one month)": pick(
            [{"from_date": m.isoformat(), "to_date": (m + timedelta(days=30)).isoformat()} for m in months]
        ),
        "agreement_id": [(account_of(a), {"agreement_id": f"agr{a:023d}"}) for a in agreements],
    }


@dataclass
class Figures:
    name: str
    p50: float
    p95: float
    mean_total: float


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure_filters(client: httpx.AsyncClient, cases: dict[str, list[Case]]) -> list[Figures]:
    figures = []
    for name, variants in cases.items():
        timings: list[float] = []
        totals: list[int] = []
        for account, params in variants:
            started = time.perf_counter()
            response = await client.get(
                f"/v1/api/accounts/{account}/charges", params={**params, "display_size": "500"}
            )
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            totals.append(response.json()["total"])
        figures.append(
            Figures(name, percentile(timings, 0.5), percentile(timings, 0.95), statistics.mean(totals))
        )
    return figures


async def measure_export(client: httpx.AsyncClient) -> tuple[float, int, float, float]:
    """Seconds, rows, baseline RSS MB and peak RSS MB while exporting account 1 as CSV."""
    process = psutil.Process(os.getpid())
    baseline = process.memory_info().rss
    peak = baseline
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.005)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    rows = 0
    async with client.stream("GET", "/v1/api/accounts/1/charges", headers={"Accept": "text/csv"}) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    done.set()
    await sampler
    return elapsed, rows - 1, baseline / 2**20, peak / 2**20


async def explain(url: str, cases: dict[str, list[Case]], path: str) -> None:
    """``EXPLAIN ANALYZE`` of the count and page queries of each filter's first variant."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
    from starlette.datastructures import QueryParams

    from connector.search import repository
    from connector.search.schemas import parse_charge_search

    connection = await asyncpg.connect(_dsn(url))
    await connection.execute("SET plan_cache_mode = force_custom_plan")  # as the search does
    lines: list[str] = []
    try:
        for name, variants in cases.items():
            account, params = variants[0]
            search = parse_charge_search(QueryParams(params))
            conditions = repository.charge_filters(account, search)
            queries: tuple[tuple[str, Any], ...] = (
                ("count", repository.count_query(conditions)),
                ("page", repository.page_query(conditions, search.paging)),
            )
            if repository.has_partial_match(search):  # one statement: count and page together
                queries = (("count and page", repository.partial_match_query(conditions, search.paging)),)
            for label, query in queries:
                # Bound parameters, as the app sends them: a literal ``7`` would be an integer, and
                # only a bigint account id can use the account key of the trigram indexes.
                compiled = query.compile(
                    dialect=asyncpg_dialect(),  # type: ignore[no-untyped-call]
                    compile_kwargs={"render_postcompile": True},
                )
                values = [compiled.params[key] for key in compiled.positiontup or ()]
                plan = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}", *values)
                lines += [f"-- {name}: {label} (account {account}, {params})", *(r[0] for r in plan), ""]
    finally:
        await connection.close()
    with open(path, "w") as out:
        out.write("\n".join(lines))
    print(f"query plans written to {path}")


async def profile(client: httpx.AsyncClient) -> None:
    """Where the time of a no-filter page goes (``BENCH_SEARCH_PROFILE=1``)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        await client.get("/v1/api/accounts/2/charges", params={"display_size": "500"})
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


async def run() -> None:
    from connector.app import create_app
    from connector.config import Settings
    from scripts.bench_events import scratch_database

    async with scratch_database(f"pay_bench_search_{os.getpid()}") as url:
        seconds = await seed(url)
        print(
            f"seeded {TOTAL_CHARGES:,} charges over {ACCOUNTS} accounts (COPY + indexes + ANALYZE) in {seconds:.1f} s"
        )
        settings = Settings(database_url=url, run_worker=False, log_level="WARNING", log_json=True)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            if os.environ.get("BENCH_SEARCH_GC_FREEZE"):
                # What the app would do with gc.freeze() after start-up (docs/benchmarks.md).
                gc.collect()
                gc.freeze()
            transport = httpx.ASGITransport(app=app)
            token = ServiceTokenSigner(
                "pay_admin", settings.service_token_keys["pay_admin"].get_secret_value()
            ).mint(MAX_TTL_SECONDS)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://connector.bench",
                timeout=60,
                headers={SERVICE_TOKEN_HEADER: token},
            ) as client:
                await client.get("/v1/api/accounts/2/charges", params={"display_size": "500"})  # warm up
                if os.environ.get("BENCH_SEARCH_PROFILE"):
                    await profile(client)
                cases = filter_cases(random.Random(7))
                # One untimed round first: the timed one then measures the steady state of a
                # server whose indexes are in memory, not the first reads from disk after seeding.
                cold = await measure_filters(client, cases)
                figures = await measure_filters(client, cases)
                export = await measure_export(client)
        if os.environ.get("BENCH_SEARCH_EXPLAIN"):
            await explain(url, cases, os.environ["BENCH_SEARCH_EXPLAIN"])
    print(
        f"\n{'filter (page of 500, accounts 2-20)':<42} {'p50 ms':>8} {'p95 ms':>8} {'mean total':>11}"
        f" {'first round p95':>16}"
    )
    for figure, first in zip(figures, cold, strict=True):
        print(
            f"{figure.name:<42} {figure.p50:>8.1f} {figure.p95:>8.1f} {figure.mean_total:>11.0f} {first.p95:>16.1f}"
        )
    elapsed, rows, baseline, peak = export
    print(
        f"\nCSV export: {rows:,} rows in {elapsed:.2f} s; process RSS {baseline:.0f} MB before, "
        f"peak {peak:.0f} MB during (+{peak - baseline:.0f} MB)"
    )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
