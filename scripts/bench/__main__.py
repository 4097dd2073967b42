"""``make bench``: every benchmark, one after the other (figures go in docs/benchmarks.md)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "scripts.bench.create_payment",
    "scripts.bench_search",
    "scripts.bench_events",
    "scripts.bench.webhooks",
]


def main() -> None:
    selected = sys.argv[1:] or BENCHMARKS
    for module_name in selected:
        print(f"\n=== {module_name}")
        importlib.import_module(module_name).main()


if __name__ == "__main__":
    main()
