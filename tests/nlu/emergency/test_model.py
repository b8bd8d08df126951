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


def test_averaged_scorer_is_cached_under_what_it_was_trained_from(tmp_path, monkeypatch):
    examples = model.training_examples()[:300]
    monkeypatch.setattr(model, "training_examples", lambda: examples)
    monkeypatch.setenv("ANXIN_SCORER_CACHE", str(tmp_path / "scorer.json"))
    model.scorer.cache_clear()
    try:
        first = model.scorer()
        assert (tmp_path / "scorer.json").exists()
        model.scorer.cache_clear()
        again = model.scorer()  # loaded, not trained
        assert again.weights == first.weights and again.bias == first.bias
        monkeypatch.setattr(model, "training_examples", lambda: examples[:-1])
        model.scorer.cache_clear()
        changed = model.scorer()  # other lines: another key, trained afresh
        assert changed.weights != first.weights
    finally:
        model.scorer.cache_clear()


def test_a_cache_that_cannot_be_written_only_means_training_again(tmp_path, monkeypatch):
    examples = model.training_examples()[:200]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("ANXIN_SCORER_CACHE", str(blocker / "scorer.json"))
    model._save(model.cache_path(), "k", model.train_averaged(examples, seeds=(1,)))
    assert model._load(model.cache_path(), "k") is None
