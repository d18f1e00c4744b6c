"""The Arabic NER tagger: span scorer, CoNLL I/O, dev split, features, training, shipped model on the seeds, CLI."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pytest

from khabar.cli import main as cli_main
from khabar.eval.ner import evaluate
from khabar.extract.ner import (
    MODEL_FULL,
    MODEL_HELDOUT,
    RESOURCES,
    ConllError,
    NerModel,
    NerTagger,
    combined_tagger,
    dev_split,
    make_extractor,
    neural_path,
    propagate,
    propagate_window,
    read_conll,
    repair_bio,
    spans,
    tokenize,
    write_conll,
)
from khabar.extract.ner_crf import CrfWeights, viterbi
from khabar.extract.ner_features import FeatureExtractor, Gazetteer, light_stem, split_proclitic, word_shape
from khabar.extract.ner_neural import NeuralModel, save_model, train_neural
from khabar.extract.ner_train import train_cli

SHIPPED = (RESOURCES / MODEL_FULL).is_file()


# --- scorer ----------------------------------------------------------------------------------------------


def test_spans_conll_style():
    assert spans(["B-PERS", "I-PERS", "O", "B-LOC"]) == [(0, 2, "PERS"), (3, 4, "LOC")]
    assert spans(["I-ORG", "I-ORG", "B-ORG"]) == [(0, 2, "ORG"), (2, 3, "ORG")]  # I- opens a span after O
    assert spans(["B-PERS", "I-LOC"]) == [(0, 1, "PERS"), (1, 2, "LOC")]
    assert spans([]) == [] and spans(["O", "O"]) == []


def test_evaluate_exact_match():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC", "O"], ["B-ORG", "I-ORG", "I-ORG"]]
    pred = [["B-PERS", "I-PERS", "O", "B-ORG", "O"], ["B-ORG", "I-ORG", "O"]]
    s = evaluate(gold, pred)
    assert s["micro"]["precision"] == pytest.approx(1 / 3)
    assert s["micro"]["recall"] == pytest.approx(1 / 3)
    assert s["micro"]["f1"] == pytest.approx(1 / 3)
    assert s["PERS"]["f1"] == 1.0 and s["LOC"]["f1"] == 0.0 and s["ORG"]["f1"] == 0.0
    assert s["LOC"]["support"] == 1 and s["ORG"]["support"] == 1
    assert evaluate(gold, gold)["micro"]["f1"] == 1.0
    with pytest.raises(ValueError):
        evaluate(gold, pred[:1])


def test_repair_bio():
    assert repair_bio(["O", "I-LOC", "I-LOC", "I-PERS"]) == ["O", "B-LOC", "I-LOC", "B-PERS"]


# --- I/O and split ---------------------------------------------------------------------------------------


def test_read_write_conll(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_text("روحاني B-PERS\nقال O\n\n\nموسكو B-LOC\n", encoding="utf-8")
    sents = read_conll(p)
    assert sents == [[("روحاني", "B-PERS"), ("قال", "O")], [("موسكو", "B-LOC")]]
    buf = io.StringIO()
    write_conll([([w for w, _ in s], [t for _, t in s]) for s in sents], buf)
    assert buf.getvalue() == "روحاني B-PERS\nقال O\n\nموسكو B-LOC\n\n"
    p.write_text("روحاني B-PERS\nقال\n", encoding="utf-8")
    with pytest.raises(ConllError, match=r"a\.txt:2"):
        read_conll(p)
    assert read_conll(p, tags=False) == [[("روحاني", "O"), ("قال", "O")]]
    p.write_text("روحاني X-PERS\n", encoding="utf-8")
    with pytest.raises(ConllError, match="bad tag"):
        read_conll(p)


def test_dev_split_is_the_contiguous_tail():
    sents = [[(f"w{i}", "O")] * (1 + i % 3) for i in range(60)]
    train, dev = dev_split(sents)
    assert train + dev == sents
    n_dev = sum(map(len, dev))
    assert abs(n_dev - sum(map(len, sents)) / 6) <= 3


# --- features and tokenising -----------------------------------------------------------------------------


def test_clitics_stems_shapes():
    assert split_proclitic("والكرملين") == ("وال", "كرملين")
    assert split_proclitic("بوتين") == ("ب", "وتين")  # ambiguity left to the model: both forms are features
    assert split_proclitic("في") == ("", "في")
    assert light_stem("الروسيه") == "روس"
    assert word_shape("2020") == "numm" and word_shape("،") == "punct" and word_shape("Sputnik") == "latl"


def test_gazetteer_longest_match_with_clitics():
    g = Gazetteer({"الولايات المتحده": "LOC", "موسكو": "LOC", "الرييس": "TITLE"})
    fx = FeatureExtractor(gazetteer=g)
    toks = ["وصل", "الرئيس", "الى", "الولايات", "المتحدة", "وموسكو"]
    types = [fx._type_features(t) for t in toks]
    assert g.tags([t[2] for t in types], [t[3] for t in types]) == ["", "B-TITLE", "", "B-LOC", "I-LOC", "B-LOC"]
    feats = fx.sentence(toks)
    assert "g=B-LOC" in feats[3] and "-1:g=B-TITLE" in feats[2] and "+1:g=B-TITLE" in feats[0]
    assert "BOS" in feats[0] and "EOS" in feats[-1] and "-1:w=الي" in feats[3] and "+2:w=المتحده" in feats[2]


def test_tokenize_offsets():
    text = "قال الرئيس (فلاديمير) بوتين.\nوأعلنت موسكو، اليوم"
    sents = tokenize(text)
    assert [[t for t, _, _ in s] for s in sents] == [
        ["قال", "الرئيس", "(", "فلاديمير", ")", "بوتين", "."], ["وأعلنت", "موسكو", "،", "اليوم"]]
    for s in sents:
        for tok, a, b in s:
            assert text[a:b] == tok


def test_propagate_repeats_in_a_document():
    tokens = [["قال", "فلاديمير", "بوتين", "في", "موسكو"], ["وبوتين", "زار", "موسكو", "ولندن"]]
    tags = [["O", "B-PERS", "I-PERS", "O", "B-LOC"], ["O", "O", "O", "O"]]
    names = propagate(tokens, tags)
    assert tags[1] == ["B-PERS", "O", "B-LOC", "O"]  # surname with و, and the place; لندن never found
    assert {"بوتين", "موسكو"} <= names


def test_propagate_window_borrows_only_from_neighbours():
    tokens = [["قال", "فلاديمير", "بوتين"], ["وبوتين", "زار"], ["زار", "بوتين"], ["بوتين", "زار"]]
    tags = [["O", "B-PERS", "I-PERS"], ["O", "O"], ["O", "O"], ["O", "O"]]
    propagate_window(tokens, tags, 2)
    assert tags[1] == ["B-PERS", "O"] and tags[2] == ["O", "B-PERS"]
    assert tags[3] == ["O", "O"]  # three sentences away: outside the window (the repeats found are not reused)
    assert tags[0] == ["O", "B-PERS", "I-PERS"]


def test_ngram_features_follow_the_options():
    on = FeatureExtractor(ngrams=True).sentence(["والكاراباخ"])[0]
    off = FeatureExtractor(ngrams=False).sentence(["والكاراباخ"])[0]
    assert {"cp4=كارا", "cs4=اباخ"} <= set(on)  # the core, without «وال»
    assert not any(f.startswith(("cp4=", "cs4=")) for f in off)
    wide = FeatureExtractor(wide=3).sentence(["ا", "ب", "ج", "د", "ه"])
    assert "win=د" in wide[0] and "win=ج" not in wide[0]


def test_cluster_features_core_and_bigrams():
    clusters = {"موسكو": ("1", "10", "100"), "زار": ("2", "20", "200")}
    core = {"موسكو": ("3", "30", "300", "3000"), "زار": ("4", "40", "400", "4000")}
    fx = FeatureExtractor(clusters, cluster_bigrams=True, core_clusters=core, core_context=(1, 2))
    feats = fx.sentence(["زار", "وموسكو", "أمس"])
    assert {"k0=3", "k3=3000", "-1:k1=40", "-1:k2=400", "kb-=40|30", "cb3=2|1|none"} <= set(feats[1])
    assert "k0=none" in feats[2] and "kb+=30|none" in feats[1] and "cb-=20|10" in feats[1]
    assert "+1:k2=300" in feats[0] and not any(f.startswith(("cb-", "kb-")) for f in feats[0])
    plain = FeatureExtractor(clusters).sentence(["زار", "وموسكو", "أمس"])
    assert not any(f.startswith(("k", "cb", "-1:k")) for fs in plain for f in fs)


def test_core_clusters_from_text():
    from khabar.extract.ner_vectors import core_of, core_vectors, kmeans_ids

    assert core_of("والكرملين") == "كرملين" and core_of("بموسكو") == "موسكو"
    texts = [" ".join(["زار", "الرئيس", name, "العاصمة", city, "أمس"] * 3)
             for name in ("بوتين", "روحاني", "أردوغان", "ماكرون") for city in ("موسكو", "طهران", "أنقرة", "باريس")]
    cores, vec = core_vectors(texts, context_size=50, dims=4, min_count=2)
    assert "كرملين" not in cores and "رييس" in cores and vec.shape == (len(cores), 4)
    a = kmeans_ids(vec, (2,))
    assert a == kmeans_ids(vec, (2,)) and len(a[0]) == len(cores)  # deterministic
    idx = {c: i for i, c in enumerate(cores)}
    assert a[0][idx["بوتين"]] == a[0][idx["روحاني"]]  # names in the same contexts share a cluster


# --- training (small slice of the shared data) -----------------------------------------------------------


def test_train_small_slice(shared_data: Path, tmp_path: Path):
    args = argparse.Namespace(data=shared_data / "anercorp" / "train.txt", seed=0, out=tmp_path, c1=0.05,
                              c2=0.01, iterations=25, heldout_only=False, limit=120, rebuild_clusters=False,
                              neural=False)
    assert train_cli(args) == 0
    assert (tmp_path / MODEL_FULL).is_file() and (tmp_path / MODEL_HELDOUT).is_file()
    model = NerModel(tmp_path / MODEL_FULL, make_extractor(tmp_path))
    assert model.neural is None and not neural_path(tmp_path / MODEL_FULL).exists()
    sents = read_conll(args.data)[:120]
    gold = [[t for _, t in s] for s in sents]
    pred = [model.tag_tokens([w for w, _ in s]) for s in sents]
    assert evaluate(gold, pred)["micro"]["f1"] > 0.6  # it learnt its own training data
    weights = CrfWeights.load(tmp_path / MODEL_FULL)  # the numpy decoder finds crfsuite's own tags
    for s, tags in zip(sents, pred, strict=True):
        feats = model.extractor.sentence([w for w, _ in s])
        assert repair_bio([weights.labels[i] for i in viterbi(weights.scores(feats), weights.trans)]) == tags
    first = (tmp_path / MODEL_FULL).read_bytes()
    assert train_cli(args) == 0
    assert (tmp_path / MODEL_FULL).read_bytes() == first  # deterministic


def test_crf_weights_cached_copy_equals_the_model(shared_data: Path, tmp_path: Path, monkeypatch):
    """The numpy copy written on first load gives back the same weights, and a damaged copy is rewritten."""
    args = argparse.Namespace(data=shared_data / "anercorp" / "train.txt", seed=0, out=tmp_path / "m", c1=0.05,
                              c2=0.01, iterations=10, heldout_only=True, limit=60, rebuild_clusters=False,
                              neural=False)
    assert train_cli(args) == 0
    monkeypatch.setenv("KHABAR_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "m" / MODEL_HELDOUT
    direct = CrfWeights.read(model)
    for _ in range(2):  # the first load writes the copy, the second reads it
        w = CrfWeights.load(model)
        assert w.labels == direct.labels and w.attrs == direct.attrs
        assert np.array_equal(w.state, direct.state) and np.array_equal(w.trans, direct.trans)
    copies = list((tmp_path / "cache" / "ner").glob("*.npz"))
    assert len(copies) == 1
    copies[0].write_bytes(b"not an npz")
    assert CrfWeights.load(model).attrs == direct.attrs
    assert np.load(copies[0])["state"].shape == direct.state.shape


@pytest.mark.slow
def test_train_small_slice_with_neural(shared_data: Path, tmp_path: Path, monkeypatch):
    """khabar train ner with the neural tagger: core vectors from SaudiNewsNet, a network beside each CRF."""
    pytest.importorskip("torch")  # training-only extra
    from khabar.extract import ner

    monkeypatch.setitem(ner.NEURAL, "epochs", 15)
    args = argparse.Namespace(data=shared_data / "anercorp" / "train.txt", seed=0, out=tmp_path, c1=0.05,
                              c2=0.01, iterations=25, heldout_only=False, limit=120, rebuild_clusters=False,
                              neural=True)
    assert train_cli(args) == 0
    for name in (MODEL_FULL, MODEL_HELDOUT):
        assert neural_path(tmp_path / name).is_file()
    model = NerModel(tmp_path / MODEL_FULL, make_extractor(tmp_path))
    assert model.neural is not None and model.weight == 1.0
    sents = read_conll(args.data)[:120]
    gold = [[t for _, t in s] for s in sents]
    assert evaluate(gold, [model.tag_tokens([w for w, _ in s]) for s in sents])["micro"]["f1"] > 0.6


def test_neural_tagger_learns_and_is_deterministic(shared_data: Path, tmp_path: Path):
    """The torch-trained network, run in numpy, fits a small slice; the same seed gives the same weights."""
    pytest.importorskip("torch")  # training-only extra
    sents = read_conll(shared_data / "anercorp" / "train.txt")[:60]
    rng = np.random.default_rng(0)
    cores = sorted({w for s in sents for w, _ in s})[:300]
    vectors = rng.normal(size=(len(cores), 16)).astype(np.float32)
    labels = sorted({t for s in sents for _, t in s} | {"O"})
    gaz = Gazetteer({"موسكو": "LOC"})
    runs = [train_neural(sents, cores, vectors, gaz, labels, epochs=40, seed=1) for _ in range(2)]
    assert all(np.array_equal(runs[0][0][k], runs[1][0][k]) for k in runs[0][0])
    path = tmp_path / "m.nn.npz"
    save_model(path, *runs[0], labels)
    model = NeuralModel.load(path, gaz)
    gold = [[t for _, t in s] for s in sents]
    pred = [repair_bio([labels[i] for i in model.log_probs([w for w, _ in s]).argmax(1)]) for s in sents]
    assert evaluate(gold, pred)["micro"]["f1"] > 0.6
    lp = model.log_probs(["في", "موسكو"])
    assert lp.shape == (2, len(labels)) and np.allclose(np.exp(lp).sum(1), 1, atol=1e-4)


# --- the shipped model -----------------------------------------------------------------------------------

needs_model = pytest.mark.skipif(not SHIPPED, reason="khabar/resources/ner has no model: run `khabar train ner`")


def _seed_mentions(tagger, seeds_dir: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"PERS": set(), "ORG": set(), "LOC": set(), "MISC": set()}
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in tagger.tag(text, lang="ar"):
            assert text[m.start:m.end] == m.text and m.key
            found[m.kind].add(m.text)
    return found


SEED_PEOPLE = ("بوتين", "روحاني", "كاظم جلالي", "لافروف")
SEED_ORGS = ("وكالة مهر للأنباء", "الكرملين", "مجموعة مينسك", "اللجنة الدولية للصليب الأحمر")


@needs_model
def test_seeds_model_alone(seeds_dir: Path):
    """The shipped model by itself (with in-document propagation): the names ANERcorp's conventions cover."""
    found = _seed_mentions(NerTagger(), seeds_dir)
    for name in ("بوتين", "روحاني", "جلالي", "لافروف"):
        assert any(name in t for t in found["PERS"]), (name, found["PERS"])
    assert "بوتين" in found["PERS"]  # «وبوتين» after «روحاني»: the conjunction is cut from the mention
    for org in ("الكرملين", "اللجنة الدولية للصليب الأحمر"):
        assert org in found["ORG"], (org, found["ORG"])
    assert {"موسكو", "روسيا", "أذربيجان"} <= found["LOC"]


@needs_model
def test_seeds_model_with_rules(seeds_dir: Path):
    """Model and rule tagger together: every person and organisation of the acceptance case."""
    tagger = combined_tagger()
    found = _seed_mentions(tagger, seeds_dir)
    for name in SEED_PEOPLE:
        assert any(name in t for t in found["PERS"]), (name, found["PERS"])
    for org in SEED_ORGS:
        assert any(org in t for t in found["ORG"]), (org, found["ORG"])
    text = (seeds_dir / "001_84deb27a2029d957.txt").read_text(encoding="utf-8")
    sources = {m.source for m in tagger.tag(text, lang="ar")}
    assert "ner" in sources  # the model contributes mentions the rules do not find


@needs_model
def test_tagger_offsets_title_and_language():
    tagger = NerTagger()
    text = "وقال وزير الخارجية الروسي سيرغي لافروف في موسكو"
    ms = tagger.tag(text, lang="ar", title="بوتين يتصل بروحاني")
    assert all(text[m.start:m.end] == m.text for m in ms if m.start >= 0)
    assert any(m.kind == "PERS" and "لافروف" in m.text for m in ms)
    assert any(m.start == -1 for m in ms)  # title mentions have no offsets into the text
    assert tagger.tag(text, lang="en") == []
    assert tagger.tag("") == []


@needs_model
def test_cli_ner_conll(tmp_path: Path, capsys):
    src = tmp_path / "in.txt"
    src.write_text("أكد O\nالرئيس O\nالروسي O\nفلاديمير O\nبوتين O\n\nفي\nموسكو\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert cli_main(["ner", "--conll", str(src), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[4] == "بوتين O B-PERS" or lines[4] == "بوتين O I-PERS"
    assert lines[5] == "" and lines[7].startswith("موسكو ") and lines[7].endswith("-LOC")
    assert cli_main(["ner", "--conll", str(src)]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")
    assert cli_main(["ner", "--conll", str(tmp_path / "missing.txt")]) == 1


@needs_model
def test_cli_eval_file(tmp_path: Path, capsys):
    src = tmp_path / "gold.txt"
    src.write_text("قال O\nالرئيس O\nفلاديمير B-PERS\nبوتين I-PERS\nفي O\nموسكو B-LOC\n", encoding="utf-8")
    assert cli_main(["eval", "ner", str(src)]) == 0
    out = capsys.readouterr().out
    assert "micro" in out and "PERS" in out


def test_person_names_from_the_dictionary(tmp_path: Path):
    import json
    import zipfile

    from khabar.extract.ner_names import arabic_forms, load_names, read_dictionary

    pairs = {"putin": "بوتين", "abdallah": "عبد الله", "ibrahim": "إبراهيم", "x": "com.بليسيس", "y": "ب",
             "long": "ا ب ت ث ج ح", "dup": "ابراهيم"}
    wheel = tmp_path / "arabnamer-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("arabnamer/data/dict_FINAL.json", json.dumps(pairs, ensure_ascii=False))
    forms = arabic_forms(read_dictionary(wheel))
    assert forms == ["ابراهيم", "بوتين", "عبد الله"]  # normalised (إ -> ا), one each; mixed, short, long left out
    shipped = load_names()
    assert len(shipped) > 10_000 and "ابراهيم" in shipped and shipped == sorted(set(shipped))


def test_gazetteer_snapshot_tags_names_below_places():
    from khabar.extract.ner_names import load_names
    from khabar.extract.ner_train import build_gazetteer

    g = build_gazetteer()
    assert g.entries["ابراهيم"] == "PERS" and g.entries["عبد الله"] == "PERS"
    assert "روسيا" in load_names() and g.entries["روسيا"] == "LOC"  # a place and a name: the place wins
    norms = ["قال", "عبد", "الله", "في", "روسيا"]
    assert g.tags(norms, [(n,) for n in norms]) == ["", "B-PERS", "I-PERS", "", "B-LOC"]
