"""The NLU evaluation's report pieces (the Rasa run itself is in components/test_pipeline.py)."""

from nlu.evaluate import (
    emergency_markdown,
    intent_markdown,
    main,
    plot_confusion,
    read_utterances,
    score_emergency,
)


def test_read_utterances_skips_comments(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("# comment\n救命\n\n  我摔倒了 \n", encoding="utf-8")
    assert read_utterances(path) == ["救命", "我摔倒了"]


def test_score_lists_every_error():
    score = score_emergency(["救命", "今天天气不错"], ["我没摔倒", "我摔倒了"])
    assert score["recall"] == 0.5 and score["fpr"] == 0.5
    text = "\n".join(emergency_markdown(score))
    assert "今天天气不错" in text and "我摔倒了" in text and "targets met: NO" in text


def test_intent_markdown():
    report = {
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 2,
                  "confused_with": {"goodbye": 1}},
        "accuracy": 0.75,
        "macro avg": {"precision": 0.8, "recall": 0.7, "f1-score": 0.7, "support": 4},
        "weighted avg": {"precision": 0.8, "recall": 0.7, "f1-score": 0.71, "support": 4},
    }
    text = "\n".join(intent_markdown(report))
    assert "| greet | 1.000 | 0.500 | 0.667 | 2 | goodbye (1) |" in text
    assert "macro-F1: 0.700" in text


def test_confusion_png(tmp_path):
    png = tmp_path / "c.png"
    plot_confusion([("greet", "greet"), ("greet", "goodbye"), ("emergency", "emergency")], png)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_main_emergency_only(tmp_path):
    assert main(["--emergency-only", "--out", str(tmp_path)]) == 0
    assert "false-positive rate" in (tmp_path / "nlu.md").read_text(encoding="utf-8")
