"""compare: the seven scores, the evidence, the safeguards, the batch CLI, and the pieces under them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from khabar.article import Article
from khabar.compare import DIMENSIONS, article_groups, compare, read_pairs, score_rows
from khabar.eval.compare import cross_validate, grouped_folds, pearson
from khabar.features import (
    FEATURES,
    body_of,
    body_sentences,
    embed_profiles,
    is_garbled,
    pair_features,
    parse_views,
    profile,
    repair,
    title_of,
)
from khabar.vectors.lexical import LexicalModel, cosine, terms

UNRELATED = {
    "fr": ("Le Stade rennais s'impose face à Lille",
           "Le Stade rennais a battu Lille deux buts à zéro samedi soir au Roazhon Park. Les Bretons ont dominé la "
           "première période et ont ouvert le score sur penalty. L'entraîneur s'est félicité de la solidité de son "
           "équipe, qui remonte à la troisième place du championnat."),
    "en": ("Heavy rain expected across southern England this weekend",
           "Forecasters warned of heavy rain and strong winds across southern England on Sunday. The Met Office "
           "issued a yellow weather warning for Devon and Cornwall, where up to 50mm of rain could fall. Drivers "
           "were advised to take care on the roads."),
    "tr": ("İstanbul'da yeni metro hattı açıldı",
           "İstanbul'da Kadıköy ile Sultanbeyli arasında yeni metro hattı törenle hizmete açıldı. Belediye başkanı, "
           "hattın günde 200 bin yolcu taşıyacağını söyledi. Hat, şehrin Anadolu yakasında ulaşımı kolaylaştıracak."),
}


def _seed(seeds_dir: Path, prefix: str) -> Article:
    from khabar.read import read

    path = next(seeds_dir.glob(prefix + "_*.txt"))
    return next(iter(read([str(path)])))


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> tuple[Article, Article]:
    return _seed(seeds_dir, "000"), _seed(seeds_dir, "001")


@pytest.fixture(scope="module")
def seed_similarity(seeds: tuple[Article, Article]):
    return compare(*seeds)


def test_seeds_are_one_story(seed_similarity) -> None:
    assert set(seed_similarity.scores) == set(DIMENSIONS)
    assert seed_similarity.overall <= 1.5
    assert all(1.0 <= v <= 4.0 for v in seed_similarity.scores.values())


def test_seed_evidence_lists_shared_places_and_people(seed_similarity) -> None:
    keys = {label.split(" ")[0] for kind in ("places", "people") for label in seed_similarity.shared[kind]}
    for key in ("loc:RU", "loc:IR", "loc:AZ", "loc:AM", "loc:karabakh", "pers:بوتين", "pers:روحاني"):
        assert key in keys, (key, keys)
    # one-sided: the Mehr report's ambassador, the Sputnik item's Lavrov
    assert any("جلالي" in x for x in seed_similarity.only_a["people"])
    assert any("لافروف" in x for x in seed_similarity.only_b["people"])


def test_seed_aligned_sentences_ceasefire_and_vaccine(seed_similarity) -> None:
    pairs = seed_similarity.aligned
    assert any("وقف إطلاق النار" in p.a and "وقف إطلاق النار" in p.b and "روحاني" in p.a + p.b for p in pairs)
    assert any("لقاح" in p.a and "لقاح" in p.b for p in pairs)
    assert all(0.0 < p.similarity <= 1.0 for p in pairs)


def test_to_dict_is_json(seed_similarity) -> None:
    d = json.loads(json.dumps(seed_similarity.to_dict(), ensure_ascii=False))
    assert set(d["scores"]) == set(DIMENSIONS)
    assert d["lexical"]["w_all"] > 0.2 and d["semantic"]["e_title"] > 0.8
    assert d["aligned"] and {"a", "b", "similarity", "lexical"} <= set(d["aligned"][0])


def test_article_against_itself_scores_one(seeds: tuple[Article, Article]) -> None:
    a = seeds[1]
    twin = Article(text=a.text, title=a.title, url="https://elsewhere.example/x", id="another-id")
    sim = compare(a, twin, evidence=False)
    assert sim.identical
    assert sim.scores == dict.fromkeys(DIMENSIONS, 1.0)


def test_near_copy_is_not_identity(seeds: tuple[Article, Article]) -> None:
    a = seeds[1]
    edited = Article(text=a.text.replace("روحاني", "رئيسي", 1), title=a.title)
    sim = compare(a, edited, evidence=False)
    assert not sim.identical
    assert sim.overall < 1.6


@pytest.mark.parametrize("lang", sorted(UNRELATED))
def test_unrelated_other_language_scores_far(seeds: tuple[Article, Article], lang: str) -> None:
    title, text = UNRELATED[lang]
    sim = compare(seeds[0], Article(text=text, title=title, lang=lang), evidence=False)
    assert sim.overall >= 3.5, sim.scores


def test_empty_or_garbled_bodies_compared_on_titles() -> None:
    a = Article(text="", title="Riyad, Mekke ve Medine koronavirüs nedeniyle giriş çıkışlara kapatılıyor", lang="tr")
    b = Article(text="Ã\x83Â©Ã\x83Â¨" * 3, title="Suudi Arabistan Mekke ve Medine'ye giriş çıkışları kapattı", lang="tr")
    c = Article(text="", title="Fenerbahçe deplasmanda Galatasaray'ı 2-1 yendi", lang="tr")
    near, far = compare(a, b), compare(a, c)
    assert any("title" in n for n in near.notes)
    assert near.overall < far.overall


def test_score_rows_batch_matches_single(seeds: tuple[Article, Article]) -> None:
    a, b = seeds
    row = {"title1": a.title or "", "text1": a.text, "title2": b.title or "", "text2": b.text}
    batch = score_rows([row, {**row, "title2": "", "text2": ""}])
    assert len(batch) == 2 and set(batch[0]) == set(DIMENSIONS)
    single = compare(Article(text=a.text, title=a.title), Article(text=b.text, title=b.title), evidence=False)
    assert abs(batch[0]["Overall"] - single.overall) < 0.05


def test_cli_batch_skips_a_malformed_line(tmp_path: Path, seeds: tuple[Article, Article], capsys) -> None:
    from khabar.cli import main

    a, b = seeds
    src = tmp_path / "pairs.jsonl"
    lines = [json.dumps({"id": "p1", "title1": a.title or "", "text1": a.text, "title2": b.title, "text2": b.text}),
             "{not json",
             json.dumps({"id": "p3", "title1": "x", "text1": 5, "title2": "y", "text2": ""}),
             json.dumps({"id": "p4", "title1": b.title, "text1": "", "title2": b.title, "text2": ""})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    rc = main(["compare", "--pairs", str(src), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"{src}:2" in err and f"{src}:3" in err
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in got] == ["p1", "p4"]
    assert got[0]["Overall"] <= 1.5 and got[1]["Overall"] == 1.0


def test_cli_two_files_json(seeds_dir: Path, capsys) -> None:
    from khabar.cli import main

    files = [str(next(seeds_dir.glob(p + "_*.txt"))) for p in ("000", "001")]
    assert main(["compare", *files, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["scores"]["Overall"] <= 1.5


def test_read_pairs_names_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"title1": "a", "text1": "", "title2": "b", "text2": ""}\n\n[1]\n{"title1": ""}\n', encoding="utf-8")
    got = list(read_pairs(p))
    assert got[0][1] is not None and got[0][2] is None
    assert got[1][2] == f"{p}:3: not a JSON object"
    assert got[2][1] is None and f"{p}:4" in got[2][2]


# --------------------------------------------------------------------------------------------- the pieces


def test_lexical_terms_fold_clitics_and_stopwords() -> None:
    assert terms("والمحادثات في المحادثات") == [terms("المحادثات")[0]] * 2
    assert "في" not in terms("في البيت")


def test_lexical_model_round_trip(tmp_path: Path) -> None:
    texts = ["روسيا وإيران تدعمان وقف إطلاق النار", "Le président a parlé au téléphone", "Yeni metro hattı açıldı"]
    m = LexicalModel().fit(texts)
    m.save(tmp_path / "idf.npz")
    m2 = LexicalModel.load(tmp_path / "idf.npz")
    w, c = m2.vectors(texts[0])
    assert cosine(w, w) == pytest.approx(1.0, abs=1e-3) and cosine(c, c) == pytest.approx(1.0, abs=1e-3)
    assert cosine(w, m2.vectors(texts[1])[0]) == 0.0
    assert np.allclose(m.idf_w, m2.idf_w, atol=1e-2)


def test_mojibake_is_repaired_and_empty_is_garbled() -> None:
    assert repair("Le chef de l'Ã‰tat ivoirien a annoncÃ© une rÃ©forme") == "Le chef de l'État ivoirien a annoncé une réforme"
    assert is_garbled("") and is_garbled("   ") and not is_garbled("Un texte tout à fait normal " * 3)
    assert body_of(None) == ""


def test_title_falls_back_on_first_sentence() -> None:
    assert title_of(None, "Première phrase assez longue du texte. Deuxième phrase.") == \
        "Première phrase assez longue du texte."
    assert title_of("  Un titre ", "corps") == "Un titre"


def test_parse_views() -> None:
    assert parse_views("title;ar=title,body") == {"*": ("title",), "ar": ("title", "body")}
    assert parse_views("title,sents") == {"*": ("title", "sents")}
    with pytest.raises(ValueError):
        parse_views("title,nose")


def test_article_groups_join_pairs_sharing_an_article() -> None:
    rows = [{"url1": "a", "url2": "b"}, {"url1": "b", "url2": "c"}, {"url1": "d", "url2": "e"}]
    g = article_groups(rows)
    assert g[0] == g[1] != g[2]
    folds = grouped_folds(np.array([0, 0, 1, 1, 2, 2, 3, 4, 5, 6]), k=5, seed=0)
    assert folds[0] == folds[1] and folds[2] == folds[3] and folds[4] == folds[5]


def test_cross_validation_recovers_a_signal() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((200, 4))
    Y = np.repeat((4 - 3 * X[:, :1]), 7, axis=1) + rng.normal(0, 0.1, (200, 7))
    P = cross_validate(X, Y, np.arange(200), regressor="ridge")
    assert pearson(P[:, 4], Y[:, 4]) > 0.9
    assert np.isnan(pearson(np.ones(5), np.arange(5.0)))


@pytest.mark.slow
def test_eval_compare_reaches_baseline(shared_data: Path) -> None:
    from khabar.eval.compare import evaluate

    res = evaluate(shared_data / "semeval2022_train_pairs.jsonl")
    for lang in ("ar", "tr", "fr"):
        r = res["by_lang"][lang]
        assert r["model"]["Overall"] > r["tfidf_baseline_overall"]


@pytest.mark.slow
def test_training_is_deterministic(shared_data: Path, tmp_path: Path) -> None:
    from khabar.compare import CompareModel, train

    pairs = shared_data / "semeval2022_train_pairs.jsonl"
    train(pairs, out=tmp_path / "a", seed=3)
    train(pairs, out=tmp_path / "b", seed=3)
    X = np.random.default_rng(1).random((5, len(CompareModel.load(tmp_path / "a").meta["features"])))
    assert np.array_equal(CompareModel.load(tmp_path / "a").predict(X), CompareModel.load(tmp_path / "b").predict(X))


def test_body_sentences_keep_head_and_tail() -> None:
    body = " ".join(f"Phrase numéro {i} du texte." for i in range(40))
    sents = body_sentences(body, "fr")
    assert len(sents) == 20 and sents[0].startswith("Phrase numéro 0 ") and sents[-1].startswith("Phrase numéro 39 ")
    assert body_sentences("", "fr") == [] and all(len(s) <= 300 for s in body_sentences("mot " * 400, "fr"))


def _toy_encode(texts: list[str]) -> np.ndarray:
    """A bag-of-words 'encoder': unit vectors of hashed words, so shared words mean a high cosine."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, sum(map(ord, w)) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_sentence_features_match_line_by_line() -> None:
    lex = LexicalModel()
    a = profile("Rain in Devon", "Heavy rain fell on Devon on Sunday morning. The roads were closed by the police. "
                "Schools stayed shut all day long.", lang="en", lexical=lex)
    b = profile("Storm hits Devon", "The roads were closed by the police. Heavy rain fell on Devon on Sunday morning.",
                lang="en", lexical=lex)
    c = profile("Metro opens", "A new metro line opened in the east of the city. It will carry many passengers.",
                lang="en", lexical=lex)
    embed_profiles([a, b, c], _toy_encode, {"*": ("title", "sents")})
    assert a.sent_emb is not None and a.sent_emb.shape == (3, 64)
    near = dict(zip(FEATURES, pair_features(a, b), strict=True))
    far = dict(zip(FEATURES, pair_features(a, c), strict=True))
    assert near["s_max"] == pytest.approx(1.0, abs=1e-5) and near["s_close"] > 0.6
    assert near["s_bma"] > far["s_bma"] and near["l_bma"] > far["l_bma"]
    # without the sentence view, the sentence scores fall back on the body cosine: the row stays complete
    embed_profiles([a, b], _toy_encode, {"*": ("title", "body")})
    row = dict(zip(FEATURES, pair_features(a, b), strict=True))
    assert a.sent_emb is None and row["s_bma"] == pytest.approx(row["e_body"])


def test_query_views_are_embedded_as_queries() -> None:
    kinds: list[tuple[str, tuple[str, ...]]] = []

    def encode(texts: list[str], kind: str = "passage") -> np.ndarray:
        kinds.append((kind, tuple(texts)))
        return _toy_encode(texts)

    a = profile("Rain in Devon", "Heavy rain fell on Devon on Sunday morning and the roads were closed.", lang="en",
                lexical=LexicalModel())
    embed_profiles([a], encode, {"*": ("title", "lead")}, ("title",))
    assert kinds == [("passage", (a.views["lead"],)), ("query", (a.title,))]
    assert a.emb["title"] is not None and a.emb["lead"] is not None


def test_gated_model_fits_a_group_its_own_slope() -> None:
    from khabar.regressors import make_regressor

    rng = np.random.default_rng(0)
    x = rng.random(400)
    group = (rng.random(400) < 0.5).astype(float)
    X = np.column_stack([x, group])
    Y = np.repeat(np.where(group == 1, 4 - 3 * x, 1 + 3 * x)[:, None], 7, axis=1)
    gated = make_regressor("spline", gate=1).fit(X, Y).predict(X)
    plain = make_regressor("spline").fit(X, Y).predict(X)
    assert pearson(gated[:, 4], Y[:, 4]) > 0.8 > 0.3 > pearson(plain[:, 4], Y[:, 4])
