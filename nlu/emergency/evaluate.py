"""How well is a call for help recognised on lines never shown to this project?

Scores ``nlu/heldout/emergency.tsv`` (or ``--set dev`` for the tuning set)
three ways, side by side: the rules alone (what the product had before), the
graded detector alone, and — with ``--model`` — the whole NLU as Rasa runs it
(DIET, the fallback and the detector component).  Per kind and per register
(Mandarin, Cantonese, Wu, ASR-style) it counts:

* **caught** — an emergency line at least asked about (emergency or unsure);
* **at once** — an emergency line escalated without a question;
* **false alarm** — a line that is not an emergency, escalated at once;
* **asked** — a line that is not an emergency, answered with the safety question.

Refuses to run when a held-out line appears in the training or tuning data
(``nlu.contamination``).  Writes ``emergency.md``, ``emergency.json`` and
``emergency.png`` into ``--out``.

    python -m nlu.emergency.evaluate --out bench/results [--model models/anxin.tar.gz]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from nlu.contamination import ROOT, read_tsv, refuse_if_seen

SETS = {"heldout": ROOT / "nlu/heldout/emergency.tsv", "dev": ROOT / "nlu/emergency/dev.tsv"}
Grader = Callable[[list[str]], list[str]]


def rules_alone(texts: list[str]) -> list[str]:
    from nlu.emergency.rules import detect

    return ["emergency" if detect(t) else "none" for t in texts]


def detector_alone(texts: list[str]) -> list[str]:
    from nlu.emergency import assess

    return [assess(t)["level"] for t in texts]


def whole_nlu(model: str) -> Grader:
    def grade(texts: list[str]) -> list[str]:
        from nlu.components.emergency import parse_levels

        return parse_levels(model, texts)

    return grade


def score(rows: list[dict[str, str]], levels: list[str]) -> dict[str, Any]:
    """Counts overall, per kind and per register, and the lines in error."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors = []
    for row, level in zip(rows, levels, strict=True):
        positive = row["label"] == "emergency"
        for group in ("all", f"kind:{row['kind']}", f"register:{row['register']}"):
            g = groups[group]
            g["pos" if positive else "neg"] += 1
            if positive:
                g["caught"] += level != "none"
                g["at_once"] += level == "emergency"
            else:
                g["false_alarm"] += level == "emergency"
                g["asked"] += level == "unsure"
        if (positive and level == "none") or (not positive and level == "emergency"):
            errors.append({"id": row["id"], "level": level, "label": row["label"]})
    return {"groups": {k: dict(v) for k, v in groups.items()}, "errors": errors}


def _pct(n: int, d: int) -> str:
    return f"{n / d:.1%} ({n}/{d})" if d else "—"


def table(name: str, s: dict[str, Any]) -> list[str]:
    out = [f"### {name}", "", "| group | caught | at once | false alarm | asked |", "|---|---|---|---|---|"]
    for group, g in sorted(s["groups"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
        out.append(f"| {group} | {_pct(g.get('caught', 0), g.get('pos', 0))} | "
                   f"{_pct(g.get('at_once', 0), g.get('pos', 0))} | "
                   f"{_pct(g.get('false_alarm', 0), g.get('neg', 0))} | {_pct(g.get('asked', 0), g.get('neg', 0))} |")
    return out + [""]


def plot(results: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    metrics = [("caught", "pos"), ("at_once", "pos"), ("false_alarm", "neg"), ("asked", "neg")]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        g = results[name]["groups"]["all"]
        values = [100 * g.get(m, 0) / max(1, g.get(d, 0)) for m, d in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(metrics))],
                  ["caught (recall)", "escalated at once", "false alarm", "asked (not an emergency)"])
    ax.set_ylabel("% of lines")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("Emergency detection on held-out lines")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate(which: str, model: str | None) -> tuple[list[dict[str, str]], dict[str, dict[str, Any]]]:
    rows = read_tsv(SETS[which])
    texts = [r["text"] for r in rows]
    if which == "heldout":
        refuse_if_seen(texts, SETS[which].name)
    graders: dict[str, Grader] = {"rules alone (before)": rules_alone, "detector alone": detector_alone}
    if model:
        graders["whole NLU"] = whole_nlu(model)
    return rows, {name: score(rows, grade(texts)) for name, grade in graders.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), default="heldout")
    parser.add_argument("--model", default=None, help="a trained model: also score the whole NLU")
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    rows, results = evaluate(args.set, args.model)
    out = Path(args.out)
    stem = "emergency" if args.set == "heldout" else "emergency_dev"
    report = [f"# Emergency detection — {args.set} set ({len(rows)} lines)", "",
              f"Generated {datetime.now().isoformat(timespec='seconds')} by `python -m nlu.emergency.evaluate`"
              f" from `{SETS[args.set].relative_to(ROOT)}`; each line's source is in that file.", ""]
    for name, s in results.items():
        report += table(name, s)
    report += [f"![emergency detection]({stem}.png)", "",
               "Errors are listed by id only in the JSON, not the text, so that nobody tunes to them."]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    (out / f"{stem}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    plot(results, out / f"{stem}.png")
    for name, s in results.items():
        g = s["groups"]["all"]
        print(f"{name:22} caught {_pct(g.get('caught', 0), g['pos'])}  at once {_pct(g.get('at_once', 0), g['pos'])}"
              f"  false alarm {_pct(g.get('false_alarm', 0), g['neg'])}  asked {_pct(g.get('asked', 0), g['neg'])}")
    print(f"wrote {out / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
