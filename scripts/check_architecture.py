"""The connector's architecture rules that import-linter cannot see, checked on the syntax tree.

``make lint`` runs it (``python -m scripts.check_architecture``); it prints each breach as
``path:line: rule: what`` and exits 1 when there is one. The rules (docs/architecture.md):

- **SQL lives in repositories.** Outside ``repository.py`` files (and ``models/``), connector
  code neither builds SQL (``select``, ``update``, ``text``… from sqlalchemy) nor runs it on a
  session (``session.execute/scalar/scalars/stream/get``).
- **Statuses change only through transition functions.** ``charge.status`` is assigned, and
  ``charge_events`` rows are written, only in ``charges/service/_transition.py``; a refund's
  status and history only in ``refunds/service.py`` (``transition_refund``); a credential's
  state only in ``credentials/state.py``; an email's delivery status only in ``emails/state.py``.

:data:`SQL_OUTSIDE_REPOSITORIES` lists the modules that still hold queries (work that other
changes are moving); a module on it that no longer needs to be there is a breach too, so the
list only shrinks.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTOR = ROOT / "services" / "connector" / "connector"

#: sqlalchemy names that build statements or SQL expressions.
SQL_BUILDERS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "func",
        "and_",
        "or_",
        "not_",
        "any_",
        "exists",
        "union",
        "union_all",
        "bindparam",
        "literal",
        "case",
        "cast",
        "tuple_",
    }
)
#: Session / connection methods that run SQL.
SQL_RUNNERS = frozenset({"execute", "scalar", "scalars", "stream", "stream_scalars", "get"})

#: Modules (relative to the connector package) that may still run SQL outside a repository.
SQL_OUTSIDE_REPOSITORIES = frozenset(
    {
        "expiry/service.py",  # the expiry sweep's selects and housekeeping deletes
        "events/outbox.py",  # the outbox's INSERT ... ON CONFLICT statements
        "events/service.py",  # the historical emitter's paged reads
        # The provider notifications and clean-up sweep (Worldpay, Stripe) still query in place.
        "gateway_cleanup/service.py",
        "gateways/stripe/notifications.py",
        "gateways/worldpay/notifications.py",
        "notifications/service.py",
    }
)

#: Where each kind of status may be written: (attribute, module allowed to assign it).
STATUS_WRITERS = {
    "status": frozenset(
        {"charges/service/_transition.py", "refunds/service.py", "emails/state.py", "agreements/state.py"}
    ),
    "state": frozenset({"credentials/state.py"}),
}
#: Constructors / calls that write a status-history row, and the modules allowed to call them.
HISTORY_WRITERS = {
    "ChargeEvent": frozenset({"charges/service/_transition.py"}),
    "insert_charge": frozenset({"charges/service/_transition.py"}),
    "RefundHistory": frozenset({"refunds/service.py"}),
}


@dataclass(frozen=True)
class Breach:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.detail}"


def _may_hold_sql(relative: str) -> bool:
    return relative.endswith("repository.py") or relative.startswith("models/")


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _sql_breaches(relative: str, tree: ast.AST) -> Iterator[Breach]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in SQL_BUILDERS:
                    yield Breach(relative, node.lineno, "sql-in-repositories", f"imports {alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = _receiver_name(node.func.value)
            if node.func.attr in SQL_RUNNERS and ("session" in receiver or "connection" in receiver):
                yield Breach(relative, node.lineno, "sql-in-repositories", f"{receiver}.{node.func.attr}()")


def _called_name(node: ast.Call) -> str:
    return _receiver_name(node.func)


def _status_breaches(relative: str, tree: ast.AST) -> Iterator[Breach]:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            # ``self.status`` is a class's own field (an exception's, a view helper's), not a row's.
            if (
                isinstance(target, ast.Attribute)
                and _receiver_name(target.value) != "self"
                and relative not in STATUS_WRITERS.get(target.attr, frozenset({relative}))
            ):
                yield Breach(
                    relative, target.lineno, "status-via-transition", f"assigns .{target.attr} directly"
                )
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if name in HISTORY_WRITERS and relative not in HISTORY_WRITERS[name]:
                yield Breach(relative, node.lineno, "status-via-transition", f"calls {name}()")
            if name == "values" and any(keyword.arg == "status" for keyword in node.keywords):
                yield Breach(relative, node.lineno, "status-via-transition", "writes status in an UPDATE")


def check(package: Path = CONNECTOR) -> list[Breach]:
    """Every breach of the rules in ``package`` (the connector's source by default)."""
    breaches: list[Breach] = []
    holding_sql: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        tree = ast.parse(path.read_text(), filename=str(path))
        breaches.extend(_status_breaches(relative, tree))
        if _may_hold_sql(relative):
            continue
        found = list(_sql_breaches(relative, tree))
        if found:
            holding_sql.add(relative)
        if relative not in SQL_OUTSIDE_REPOSITORIES:
            breaches.extend(found)
    for relative in sorted(SQL_OUTSIDE_REPOSITORIES - holding_sql):
        if (package / relative).exists():
            breaches.append(
                Breach(
                    relative, 1, "sql-in-repositories", "holds no SQL: take it off SQL_OUTSIDE_REPOSITORIES"
                )
            )
    return sorted(breaches, key=lambda breach: (breach.path, breach.line))


def main() -> int:
    breaches = check()
    for breach in breaches:
        print(breach)
    if breaches:
        return 1
    print("architecture rules: SQL in repositories, statuses via transitions: kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
