"""Intents on lines never shown to this project: ``nlu/heldout/intents.tsv``.

480 utterances (30 intents; Mandarin, Cantonese- and Wu-flavoured, 160
each), each with its source, written before this round's changes.  Parsed
by the trained model as Rasa runs it (the whole pipeline, the dialect
normaliser and the emergency detector included); ``emergency_unsure`` counts
as ``emergency`` for an emergency line (the safety question is asked).
Refuses to run when a line appears in the training data.  Writes
``intents_heldout.md`` and ``.json`` with macro-F1, per-intent F1 and
per-register accuracy.

    python -m nlu.intents_heldout --model models/anxin.tar.gz --out bench/results
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

from nlu.contamination import ROOT, read_tsv, refuse_if_seen

HELDOUT = ROOT / "nlu/heldout/intents.tsv"


def predicted_intents(model: str, texts: list[str]) -> list[str]:
    from nlu.components.emergency import parse_intents

    return parse_intents(model, texts)


def f1_table(gold: list[str], pred: list[str]) -> dict[str, dict[str, float]]:
    labels = sorted(set(gold))
    out = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def score(rows: list[dict[str, str]], pred: list[str]) -> dict:
    gold = [r["intent"] for r in rows]
    pred = ["emergency" if p == "emergency_unsure" and g == "emergency" else p for g, p in zip(gold, pred, strict=True)]
    table = f1_table(gold, pred)
    by_register: dict[str, Counter] = defaultdict(Counter)
    confusions = Counter()
    for row, p in zip(rows, pred, strict=True):
        by_register[row["register"]]["n"] += 1
        by_register[row["register"]]["right"] += p == row["intent"]
        if p != row["intent"]:
            confusions[(row["intent"], p)] += 1
    return {
        "macro_f1": sum(v["f1"] for v in table.values()) / len(table),
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "per_intent": table,
        "per_register": {k: v["right"] / v["n"] for k, v in by_register.items()},
        "confusions": [{"gold": g, "predicted": p, "n": n} for (g, p), n in confusions.most_common(20)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    rows = read_tsv(HELDOUT)
    refuse_if_seen([r["text"] for r in rows], HELDOUT.name)
    s = score(rows, predicted_intents(args.model, [r["text"] for r in rows]))
    lines = [f"# Intents on the held-out set ({len(rows)} lines)", "",
             f"Generated {datetime.now().isoformat(timespec='seconds')} by `python -m nlu.intents_heldout`"
             f" from `nlu/heldout/intents.tsv` (each line's source is in the file).", "",
             f"- macro-F1 **{s['macro_f1']:.3f}**, accuracy {s['accuracy']:.1%}",
             *[f"- {reg}: accuracy {acc:.1%}" for reg, acc in sorted(s["per_register"].items())], "",
             "| intent | precision | recall | F1 | n |", "|---|---|---|---|---|",
             *[f"| {k} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} |"
               for k, v in s["per_intent"].items()], "",
             "Most frequent confusions (gold → predicted), counts only:", "",
             *[f"- {c['gold']} → {c['predicted']}: {c['n']}" for c in s["confusions"]]]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "intents_heldout.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "intents_heldout.json").write_text(json.dumps(s, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"macro-F1 {s['macro_f1']:.3f}  accuracy {s['accuracy']:.1%}  "
          + "  ".join(f"{k} {v:.1%}" for k, v in sorted(s["per_register"].items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
