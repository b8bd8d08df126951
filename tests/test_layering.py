"""The architecture, as tests: who may import whom, and who may touch the database.

    core        imports nothing of ours
    records     the care-records store: the only code that runs SQL
    knowledge   the policy knowledge base: no records
    nlu         language (pure) and Rasa components: no bot, actions, records
    voice       the speaker client: core and nlu only (it installs without Rasa)
    actions     dialogue logic: records, knowledge, nlu, core; never a channel
    bot         channels, outbound, worker, console, CLI: everything below it
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "records", "knowledge", "nlu", "voice", "actions", "bot")
FORBIDDEN = {
    "core": ("records", "knowledge", "nlu", "voice", "actions", "bot"),
    "records": ("bot", "actions", "knowledge", "voice"),
    "knowledge": ("bot", "actions", "records", "voice"),
    "nlu": ("bot", "actions", "records", "knowledge", "voice"),
    "voice": ("bot", "actions", "records", "knowledge"),
    "actions": ("bot.channels", "bot.console", "bot.worker", "bot.outbound"),
}
# Rasa's own conversation store (a subclass of its SQLTrackerStore) is not the care records.
SQL_ALLOWED = {"bot/trackers.py"}


def modules(package: str) -> list[Path]:
    return [p for p in sorted((ROOT / package).rglob("*.py")) if "migrations" not in p.parts]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _hits(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package):
    found = {str(p.relative_to(ROOT)): _hits(imported(p), FORBIDDEN[package]) for p in modules(package)}
    assert {k: v for k, v in found.items() if v} == {}


def test_pure_nlu_and_the_speaker_need_no_rasa():
    pure = [p for p in modules("nlu") + modules("voice") + modules("core") if "components" not in p.parts]
    found = {str(p.relative_to(ROOT)): _hits(imported(p), ("rasa", "rasa_sdk", "tensorflow", "sqlalchemy"))
             for p in pure}
    assert {k: v for k, v in found.items() if v} == {}


def test_only_records_runs_sql():
    offenders = {}
    for package in PACKAGES:
        if package == "records":
            continue
        for path in modules(package):
            rel = str(path.relative_to(ROOT))
            if rel in SQL_ALLOWED:
                continue
            source = path.read_text(encoding="utf-8")
            sql = _hits(imported(path), ("sqlalchemy",))
            calls = [name for name in ("session.execute(", "session.get(", "session.add(", "session.query(",
                                       "session.scalars(", "session.delete(") if name in source]
            if sql or calls:
                offenders[rel] = sql + calls
    assert offenders == {}
