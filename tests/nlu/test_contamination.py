"""Held-out lines never in the training or tuning data, and the refusal when they are."""

import pytest

from nlu import contamination
from nlu.contamination import Contaminated, key, overlaps, read_tsv, refuse_if_seen


def test_key_ignores_spacing_punctuation_width():
    assert key("快叫１２０！") == key("快叫 120")


@pytest.mark.parametrize("name", ["nlu/heldout/emergency.tsv", "nlu/heldout/intents.tsv"])
def test_held_out_sets_are_clean(name):
    texts = [r["text"] for r in read_tsv(contamination.ROOT / name)]
    assert overlaps(texts) == []


def test_evaluation_refuses_a_seen_line():
    with pytest.raises(Contaminated, match="training or tuning"):
        refuse_if_seen(["救命", "一句从没见过的话"], "a test set")


def test_held_out_dialogue_turns_are_clean():
    import yaml

    dialogues = yaml.safe_load((contamination.ROOT / "nlu/heldout/dialogues.yml").read_text(encoding="utf-8"))
    assert overlaps([turn for d in dialogues for turn in d["turns"]]) == []
