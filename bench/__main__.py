"""`make bench`: run every benchmark and print one table.

Benchmarks are never tests: they measure, they do not assert. Figures, with the
machine and date, are kept in bench/RESULTS.md.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from datetime import date

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fakturanett.settings")
    django.setup()
    from django.db import connection

    import bench

    rows: list[tuple[str, str, str]] = []
    only = set(sys.argv[1:])
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not module_info.name.startswith("bench_"):
            continue
        if only and module_info.name not in only:
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        rows.extend(module.run())

    print(
        f"FakturaNett benchmarks — {date.today()} — {platform.processor() or platform.machine()}"
        f", {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"database {connection.vendor}"
    )
    if not rows:
        print("(no benchmarks yet)")
        return 0
    width = max(len(name) for name, _, _ in rows)
    print(f"{'benchmark':<{width}}  {'value':>14}  unit")
    print(f"{'-' * width}  {'-' * 14}  ----")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:>14}  {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
