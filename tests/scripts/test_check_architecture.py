"""The architecture rules of `make lint` (scripts/check_architecture.py) hold, and catch a breach."""

from __future__ import annotations

from pathlib import Path

from scripts.check_architecture import SQL_OUTSIDE_REPOSITORIES, check


def test_the_connector_keeps_the_rules() -> None:
    assert [str(breach) for breach in check()] == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return tmp_path


def test_sql_outside_a_repository_is_a_breach(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "refunds/repository.py": "from sqlalchemy import select\n",
            "things/service.py": (
                "from sqlalchemy import select\n\n\nasync def f(session):\n    await session.scalar(1)\n"
            ),
        },
    )
    assert [(b.path, b.line, b.detail) for b in check(package)] == [
        ("things/service.py", 1, "imports select"),
        ("things/service.py", 5, "session.scalar()"),
    ]


def test_status_written_outside_its_transition_function_is_a_breach(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "charges/service/_transition.py": "charge.status = 'CREATED'\nChargeEvent(status='CREATED')\n",
            "capture/service.py": (
                "charge.status = 'CAPTURED'\n"
                "session.add(ChargeEvent(charge_id=1))\n"
                "statement = update(Charge).values(status='CAPTURED')\n"
                "credential.state = 'ACTIVE'\n"
                "self.status = 'kept'\n"
            ),
        },
    )
    assert [(b.path, b.line, b.rule) for b in check(package) if b.rule == "status-via-transition"] == [
        ("capture/service.py", 1, "status-via-transition"),
        ("capture/service.py", 2, "status-via-transition"),
        ("capture/service.py", 3, "status-via-transition"),
        ("capture/service.py", 4, "status-via-transition"),
    ]


def test_a_module_that_no_longer_holds_sql_must_leave_the_list(tmp_path: Path) -> None:
    listed = sorted(SQL_OUTSIDE_REPOSITORIES)[0]
    package = _package(tmp_path, {listed: "x = 1\n"})
    assert [(b.path, b.rule) for b in check(package)] == [(listed, "sql-in-repositories")]
