"""NLU evaluation for ``make eval``: Rasa's intent/entity test plus the emergency detector alone.

(a) runs ``rasa test nlu`` on the held-out ``tests/nlu/data/nlu_test.yml`` with the
trained model and turns Rasa's JSON reports into ``bench/results/nlu.md``
(per-intent precision/recall/F1, macro-F1, entity F1 per extractor and entity)
and ``bench/results/nlu_confusion.png``;
(b) scores the emergency rules on ``emergency_positive.txt`` and
``emergency_negative.txt``: recall, false-positive rate, and every miss and
false alarm, written into the same report.

    python -m nlu.evaluate --model models --out bench/results
    python -m nlu.evaluate --emergency-only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEST_FILE = ROOT / "tests/nlu/data/nlu_test.yml"
POSITIVES = ROOT / "tests/nlu/data/emergency_positive.txt"
NEGATIVES = ROOT / "tests/nlu/data/emergency_negative.txt"
RECALL_TARGET, FPR_TARGET = 1.0, 0.03
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "AR PL UMing CN", "SimHei")


# --- (b) emergency detector -------------------------------------------------

def read_utterances(path: Path) -> list[str]:
    """One utterance a line; blank lines and # comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def score_emergency(positives: list[str], negatives: list[str]) -> dict[str, Any]:
    """Recall on positives, false-positive rate on hard negatives, with every error."""
    from nlu.emergency.rules import analyse, detect

    misses = [
        {"text": t, "silenced": [(c.trigger, c.suppressed_by) for c in analyse(t)]}
        for t in positives if detect(t) is None
    ]
    alarms = [{"text": t, "reason": r} for t in negatives if (r := detect(t)) is not None]
    categories = Counter(r["category"] for t in positives if (r := detect(t)))
    return {
        "positives": len(positives),
        "negatives": len(negatives),
        "recall": 1 - len(misses) / max(1, len(positives)),
        "fpr": len(alarms) / max(1, len(negatives)),
        "misses": misses,
        "false_alarms": alarms,
        "categories": dict(categories.most_common()),
    }


def emergency_markdown(s: dict[str, Any]) -> list[str]:
    ok = s["recall"] >= RECALL_TARGET and s["fpr"] <= FPR_TARGET
    out = [
        "## Emergency detector (rules alone)",
        "",
        f"- positives: {s['positives']}, hard negatives: {s['negatives']}",
        f"- **recall: {s['recall']:.1%}** (target {RECALL_TARGET:.0%})",
        f"- **false-positive rate: {s['fpr']:.1%}** (target ≤ {FPR_TARGET:.0%})",
        f"- targets met: {'yes' if ok else 'NO'}",
        "- fired categories on positives: "
        + ", ".join(f"{k} {v}" for k, v in s["categories"].items()),
        "",
        f"### Misses ({len(s['misses'])})",
        "",
    ]
    out += [f"- `{m['text']}` — triggers seen: {m['silenced'] or 'none'}" for m in s["misses"]]
    out += ["- none"] if not s["misses"] else []
    out += ["", f"### False alarms ({len(s['false_alarms'])})", ""]
    out += [f"- `{a['text']}` — {a['reason']['category']}: {a['reason']['trigger']}"
            for a in s["false_alarms"]]
    out += ["- none"] if not s["false_alarms"] else []
    return out + [""]


# --- (a) rasa test nlu --------------------------------------------------------

def run_rasa_test(model: str, test_file: Path, out_dir: Path) -> None:
    """``rasa test nlu`` in a subprocess of this same Python."""
    cmd = [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(test_file),
           "--model", model, "--out", str(out_dir), "--successes", "--no-plot"]
    subprocess.run(cmd, check=True, cwd=ROOT)


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "–"


def intent_markdown(report: dict[str, Any]) -> list[str]:
    intents = {k: v for k, v in report.items()
               if isinstance(v, dict) and "precision" in v and not k.endswith(" avg")}
    macro = report.get("macro avg", {})
    out = [
        "## Intents",
        "",
        f"- accuracy: {_f(report.get('accuracy'))}",
        f"- **macro-F1: {_f(macro.get('f1-score'))}** "
        f"(weighted F1 {_f(report.get('weighted avg', {}).get('f1-score'))})",
        "",
        "| intent | precision | recall | F1 | support | most confused with |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in sorted(intents.items(), key=lambda kv: kv[1].get("f1-score", 0)):
        confused = v.get("confused_with") or {}
        top = ", ".join(f"{k} ({n})" for k, n in list(confused.items())[:2])
        out.append(f"| {name} | {_f(v['precision'])} | {_f(v['recall'])} | "
                   f"{_f(v['f1-score'])} | {v.get('support', '')} | {top} |")
    return out + [""]


def entity_markdown(out_dir: Path) -> list[str]:
    out = ["## Entities (per extractor, span-level, as `rasa test nlu` scores them)", "",
           "The normalisers replace DIET's overlapping `vital_*` and `time` entities, so read "
           "those in the normalisers' tables; Rasa compares spans, not values.", ""]
    reports = sorted(out_dir.glob("*_report.json"))
    reports = [p for p in reports if p.name not in {"intent_report.json",
                                                     "response_selection_report.json"}]
    if not reports:
        return out + ["No entity report (the test data has no entity examples?).", ""]
    out += product_entity_markdown(reports)
    for path in reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        extractor = path.name[: -len("_report.json")]
        rows = {name: v for name, v in sorted(report.items())
                if isinstance(v, dict) and "precision" in v and not name.endswith(" avg")
                and name != "no_entity"}
        if extractor != "DIETClassifier":  # rule components: only the types they produce
            rows = {n: v for n, v in rows.items() if v["precision"] or v["recall"]}
        macro = sum(v["f1-score"] for v in rows.values()) / max(1, len(rows))
        out += [f"### {extractor} — macro-F1 over the entities shown: {_f(macro)}", "",
                "| entity | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        out += [f"| {name} | {_f(v['precision'])} | {_f(v['recall'])} | "
                f"{_f(v['f1-score'])} | {v.get('support', '')} |" for name, v in rows.items()]
        out.append("")
    return out


# Which component the product relies on for each entity type.
OWNER = {"time": "TimeNormalizer", "vital_type": "VitalsNormalizer", "vital_value": "VitalsNormalizer"}


def product_entity_markdown(reports: list[Path]) -> list[str]:
    """Entity F1 as the product sees it: each type scored on the component that
    owns it (the normalisers for time and vitals, DIET for the rest)."""
    by_extractor = {p.name[: -len("_report.json")]: json.loads(p.read_text(encoding="utf-8")) for p in reports}
    diet = by_extractor.get("DIETClassifier", {})
    rows = {}
    for name, scores in sorted(diet.items()):
        if not isinstance(scores, dict) or "precision" not in scores or name.endswith(" avg") or name == "no_entity":
            continue
        owner = by_extractor.get(OWNER.get(name, "DIETClassifier"), {})
        rows[name] = owner.get(name, scores)
    support = sum(v.get("support", 0) for v in rows.values()) or 1
    weighted = sum(v["f1-score"] * v.get("support", 0) for v in rows.values()) / support
    macro = sum(v["f1-score"] for v in rows.values()) / max(1, len(rows))
    out = [f"### As the product uses them — **entity F1 {_f(weighted)}** (support-weighted; macro {_f(macro)})", "",
           "| entity | scored on | F1 | support |", "|---|---|---|---|"]
    out += [f"| {n} | {OWNER.get(n, 'DIETClassifier')} | {_f(v['f1-score'])} | {v.get('support', '')} |"
            for n, v in rows.items()]
    return out + [""]


def predictions(out_dir: Path) -> list[tuple[str, str]]:
    """(target, predicted) intent pairs from Rasa's successes and errors files."""
    pairs = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out_dir / name
        if path.is_file():
            for row in json.loads(path.read_text(encoding="utf-8")):
                pred = (row.get("intent_prediction") or {}).get("name") or "None"
                pairs.append((row.get("intent", ""), pred))
    return pairs


def cjk_font() -> str | None:
    """A font that shows Chinese (Noto Sans CJK from fonts-noto-cjk), if installed."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def plot_confusion(pairs: list[tuple[str, str]], path: Path) -> None:
    """Confusion matrix PNG (rows: true intent, columns: predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    index = {name: i for i, name in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for target, pred in pairs:
        matrix[index[target], index[pred]] += 1
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    size = max(6, 0.45 * len(labels) + 3)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if i == j else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true intent")
    ax.set_title("Anxin NLU intent confusion (held-out test)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main ---------------------------------------------------------------------

def build_report(args: argparse.Namespace) -> str:
    out = ["# Anxin NLU evaluation", "",
           f"Generated {datetime.now().isoformat(timespec='seconds')} by `python -m nlu.evaluate`.",
           ""]
    if not args.emergency_only:
        with tempfile.TemporaryDirectory(prefix="anxin-nlu-") as tmp:
            rasa_out = Path(args.rasa_out) if args.rasa_out else Path(tmp)
            run_rasa_test(args.model, Path(args.test_file), rasa_out)
            out += [f"Model: `{args.model}`; test data: `{args.test_file}`.", ""]
            intent_report = rasa_out / "intent_report.json"
            if intent_report.is_file():
                out += intent_markdown(json.loads(intent_report.read_text(encoding="utf-8")))
                pairs = predictions(rasa_out)
                if pairs:
                    png = Path(args.out) / "nlu_confusion.png"
                    plot_confusion(pairs, png)
                    out += [f"![intent confusion matrix]({png.name})", ""]
            out += entity_markdown(rasa_out)
    out += emergency_markdown(score_emergency(read_utterances(Path(args.positives)),
                                              read_utterances(Path(args.negatives))))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="models", help="model file or folder (latest is used)")
    parser.add_argument("--out", default="bench/results", help="folder for nlu.md and the PNG")
    parser.add_argument("--test-file", default=str(TEST_FILE))
    parser.add_argument("--positives", default=str(POSITIVES))
    parser.add_argument("--negatives", default=str(NEGATIVES))
    parser.add_argument("--rasa-out", default=None, help="keep Rasa's raw reports here")
    parser.add_argument("--emergency-only", action="store_true", help="skip rasa test nlu")
    args = parser.parse_args(argv)
    report = build_report(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu.md").write_text(report, encoding="utf-8")
    print(f"wrote {out / 'nlu.md'}")
    s = score_emergency(read_utterances(Path(args.positives)), read_utterances(Path(args.negatives)))
    print(f"emergency recall {s['recall']:.1%}, false-positive rate {s['fpr']:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
