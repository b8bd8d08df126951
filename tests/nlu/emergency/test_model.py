"""The learned scorer: deterministic, trained only on the committed training lines."""

from nlu.contamination import key, read_tsv
from nlu.emergency import model


def test_deterministic():
    examples = model.training_examples()[:400]
    a, b = model.train(examples, epochs=2), model.train(examples, epochs=2)
    assert a.weights == b.weights and a.bias == b.bias


def test_never_trained_on_held_out_or_dev():
    trained = {key(e.text) for e in model.training_examples()}
    for name in ("nlu/heldout/emergency.tsv", "nlu/emergency/dev.tsv"):
        rows = read_tsv(model.ROOT / name)
        assert not [r["id"] for r in rows if key(r["text"]) in trained], name


def test_features_see_dialect_and_rules():
    feats = model.features("阿妈跌低咗")
    assert "摔倒" in feats  # 跌低 → 摔倒 before the n-grams
    assert "R+any" in feats


def test_probability_range():
    s = model.scorer()
    assert 0.0 <= s.probability("") <= 1.0
    assert s.probability("救命啊快来人") > s.probability("今天天气很好")
