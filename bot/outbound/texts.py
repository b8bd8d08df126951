"""Words for messages the worker sends on its own, taken from the Rasa domain.

Reply text lives in ``bot/domain/*.yml`` (one place for every sentence the
product says); the worker renders the named response with the outbox row's
parameters.  A missing parameter renders as empty rather than failing a send.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from core.settings import ROOT

DOMAIN = ROOT / "bot" / "domain"


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=4)
def responses(domain: Path = DOMAIN) -> dict[str, list[dict[str, Any]]]:
    import yaml  # lazy: only the worker renders

    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(Path(domain).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.update(data.get("responses") or {})
    return found


def render(template: str, params: dict[str, Any] | None = None, domain: Path = DOMAIN) -> str:
    """The first unconditioned text of ``template``, filled with ``params``."""
    variants = responses(domain).get(template)
    if not variants:
        raise KeyError(f"no response {template!r} in the domain")
    plain = [v for v in variants if "text" in v and not v.get("condition")] or [v for v in variants if "text" in v]
    return plain[0]["text"].format_map(_Blank({k: "" if v is None else v for k, v in (params or {}).items()}))
