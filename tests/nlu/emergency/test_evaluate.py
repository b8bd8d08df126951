"""The held-out emergency evaluation: runs, writes its report, refuses seen lines."""

import json

import pytest

from nlu.contamination import Contaminated
from nlu.emergency import evaluate


def test_scores_every_group():
    rows = [{"id": "a", "label": "emergency", "kind": "fall", "register": "wu"},
            {"id": "b", "label": "not_emergency", "kind": "past", "register": "wu"}]
    s = evaluate.score(rows, ["unsure", "emergency"])
    assert s["groups"]["all"] == {"pos": 1, "caught": 1, "at_once": 0, "neg": 1,
                                  "false_alarm": 1, "asked": 0}
    assert [e["id"] for e in s["errors"]] == ["b"]


def test_writes_report(tmp_path):
    assert evaluate.main(["--set", "dev", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "emergency_dev.md").read_text(encoding="utf-8")
    assert "rules alone (before)" in report and "detector alone" in report
    data = json.loads((tmp_path / "emergency_dev.json").read_text(encoding="utf-8"))
    assert data["detector alone"]["groups"]["all"]["pos"] > 200
    assert (tmp_path / "emergency_dev.png").stat().st_size > 1000


def test_refuses_a_held_out_line_seen_in_training(tmp_path, monkeypatch):
    seen = tmp_path / "heldout.tsv"
    seen.write_text("id\tlabel\tkind\tregister\ttext\tsource\n"
                    "X1\temergency\tcall_for_help\tmandarin\t救命啊\ttest\n", encoding="utf-8")
    monkeypatch.setitem(evaluate.SETS, "heldout", seen)
    with pytest.raises(Contaminated):
        evaluate.main(["--out", str(tmp_path)])
