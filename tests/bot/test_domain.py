"""The domain and the code agree: every response the code names exists, and
every response exists for a reason (a rule, a story, or the code)."""

from __future__ import annotations

import ast
import glob
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE = ["actions", "bot", "records", "knowledge"]
SUFFIXES = ("_unnamed", "_no_doctor")


def _responses() -> set[str]:
    names: set[str] = set()
    for path in glob.glob(str(ROOT / "bot" / "domain" / "*.yml")):
        names |= set((yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("responses") or {})
    return names


def _named_in_code() -> tuple[set[str], set[str]]:
    """(exact names, f-string prefixes) of utter_* strings in the Python code."""
    exact, prefixes = set(), set()
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("utter_"):
                    exact.add(node.value)
                elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                    head = str(node.values[0].value)
                    if head.startswith("utter_"):
                        prefixes.add(head)
    return exact, prefixes


def _named_in_data() -> set[str]:
    text = "\n".join(Path(p).read_text(encoding="utf-8") for p in glob.glob(str(ROOT / "bot" / "data" / "*.yml")))
    return {word for word in text.replace(":", " ").split() if word.startswith("utter_")}


def test_every_response_the_code_names_exists():
    responses = _responses()
    exact, prefixes = _named_in_code()
    suffixes = SUFFIXES
    missing = {name for name in exact if name not in responses and not name.endswith(suffixes)
               and not any(r.startswith(name) for r in responses)}
    assert not missing, f"the code names responses the domain lacks: {sorted(missing)}"
    for prefix in prefixes:
        assert any(r.startswith(prefix) for r in responses), f"no response starts with {prefix!r}"


def _slots() -> set[str]:
    names: set[str] = set()
    for path in glob.glob(str(ROOT / "bot" / "domain" / "*.yml")):
        names |= set((yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("slots") or {})
    return names


def test_every_response_is_used():
    exact, prefixes = _named_in_code()
    used = exact | _named_in_data()
    used |= {f"utter_ask_{slot}" for slot in _slots()}  # forms ask with these
    # Variants the code picks by appending a suffix (records/reminders.py, actions/health.py).
    used |= {f"{name}{suffix}" for name in used for suffix in SUFFIXES}
    unused = {r for r in _responses() if r not in used and not any(r.startswith(p) for p in prefixes)}
    assert not unused, f"responses nothing says: {sorted(unused)}"
