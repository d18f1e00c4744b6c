"""Copies: MinHash, the streaming CopyIndex, alignment, copy groups and origin, and the ``khabar copies`` CLI."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from khabar.article import Article
from khabar.cli import main
from khabar.copies import align, copy_groups, credited_agencies, find_copies, outlet_agency
from khabar.copyindex import CopyIndex, MemoryStore, NpzStore, exact_overlap
from khabar.vectors import minhash as mh

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
T0 = datetime(2020, 10, 10, 8, 0)
NEUTRAL = ("افتتحت البلدية اليوم حديقة عامة جديدة في وسط المدينة على مساحة عشرين الف متر مربع، تضم ملاعب للاطفال "
           "ومسارات للمشي وممرات للدراجات.\nوقال رئيس البلدية في كلمته خلال حفل الافتتاح ان الحديقة جزء من خطة "
           "لزيادة المساحات الخضراء في الاحياء السكنية خلال السنوات الثلاث المقبلة.\nواضاف ان العمل جار على "
           "انشاء خمس حدائق اخرى في الاحياء الشرقية والشمالية، على ان تفتح ابوابها للزوار قبل نهاية العام.")


def seed_texts() -> tuple[str, str]:
    a, b = sorted(SEEDS.glob("*.txt"))
    return a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")


def paras(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def change_words(text: str, share: float, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(["تغيير", "كلمة", "اخرى", "جديد", "هناك"])
    return " ".join(words)


@pytest.fixture(scope="module")
def base() -> str:
    return seed_texts()[0]


@pytest.fixture(scope="module")
def other() -> str:
    return seed_texts()[1]


# ---- MinHash

def test_word_hashes_are_stable_and_normalised() -> None:
    expected = int.from_bytes(hashlib.blake2b("اعلن".encode(), digest_size=8).digest(), "little")
    assert mh.word_hashes("أعلنَ")[0] == expected  # hamza and diacritic folded, hash fixed across runs
    assert mh.words("قال: «إيران» ١٠") == ["قال", "ايران", "10"]


def test_signatures_equal_sets_and_estimate() -> None:
    rng = np.random.default_rng(0)
    errors = []
    for _ in range(30):
        u = np.unique(rng.integers(0, 2**32, 600, dtype=np.uint64).astype(np.uint32))
        a, b = u[:400], u[200:]
        sa, sb = mh.signatures([a, b])
        errors.append((sa == sb).mean() - exact_overlap(a, b)[0])
        assert (mh.signatures([a])[0] == sa).all()
    assert abs(np.mean(errors)) < 0.03 and np.std(errors) < 0.08
    empty = mh.signatures([mh._EMPTY])[0]
    assert (empty == 0xFFFFFFFF).all()


def test_kperm_and_oph_agree_on_estimates() -> None:
    rng = np.random.default_rng(1)
    u = np.unique(rng.integers(0, 2**32, 3000, dtype=np.uint64).astype(np.uint32))
    a, b = u[:2000], u[1000:]
    for method in ("oph", "kperm"):
        s = mh.signatures([a, b], method=method)
        assert abs((s[0] == s[1]).mean() - 1 / 3) < 0.12


# ---- the index

EDITS = {
    "dateline": lambda t, o: "الرياض - واس " + t,
    "drop_last": lambda t, o: "\n".join(paras(t)[:-1]),
    "reorder": lambda t, o: "\n".join(reversed(paras(t))),
    "words_15": lambda t, o: change_words(t, 0.15),
    "lead": lambda t, o: " ".join(o.split()[:60]) + "\n" + t,
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_each_edit_is_found(kind: str, base: str, other: str) -> None:
    idx = CopyIndex()
    idx.add(Article(text=base, id="src"))
    idx.add(Article(text=other, id="same-story"))
    matches = idx.add(Article(text=EDITS[kind](base, other), id="copy"))
    assert [m.b for m in matches] == ["src"]
    m = matches[0]
    assert m.jaccard >= 0.3 or m.containment >= 0.5


def test_same_story_different_text_is_rejected(base: str, other: str) -> None:
    idx = CopyIndex()
    assert idx.add_many([Article(text=base, id="mehr"), Article(text=other, id="sputnik")]) == []
    j, ca, cb = exact_overlap(idx.shingles("mehr"), idx.shingles("sputnik"))
    assert j < 0.05 and max(ca, cb) < 0.1


def test_short_article_inside_a_long_one(base: str, other: str) -> None:
    short = " ".join(paras(base)[1].split()[:40])
    long = other + "\n" + short + "\n" + base[-300:]
    idx = CopyIndex()
    matches = idx.add_many([Article(text=long, id="long"), Article(text=short, id="short")])
    assert len(matches) == 1
    m = matches[0]
    inside = m.contained_a if m.a == "short" else m.contained_b
    assert inside == 1.0 and m.jaccard < 0.3


def test_empty_and_one_word_never_match(base: str) -> None:
    arts = [Article(text="", id="empty"), Article(text="   ", id="blank"), Article(text="السعودية", id="w1"),
            Article(text="السعودية", id="w2"), Article(text="واس", id="w3"), Article(text=base, id="a"),
            Article(text=base + " السعودية", id="b")]
    idx = CopyIndex()
    pairs = {frozenset((m.a, m.b)) for m in idx.add_many(arts)}
    assert pairs == {frozenset(("a", "b"))}
    for a in arts[:5]:
        assert idx.query(a) == []
    # one at a time as well
    idx2 = CopyIndex()
    got = [m for a in arts for m in idx2.add(a)]
    assert {frozenset((m.a, m.b)) for m in got} == pairs


def test_no_pair_below_threshold_reaches_the_user(base: str, other: str) -> None:
    arts = [Article(text=change_words(base, s, seed=k), id=f"c{k}") for k, s in enumerate([0.05, 0.15, 0.3, 0.45])]
    arts += [Article(text=base, id="src"), Article(text=other, id="o")]
    for threshold, containment in ((0.3, 0.5), (0.5, 0.8), (0.7, 0.9)):
        idx = CopyIndex(threshold, containment)
        for m in idx.add_many(arts):
            j, ca, cb = exact_overlap(idx.shingles(m.a), idx.shingles(m.b))
            assert j == pytest.approx(m.jaccard)
            assert j >= threshold or max(ca, cb) >= containment


def test_stream_equals_batch(base: str, other: str) -> None:
    arts = [Article(text=EDITS[k](base, other), id=k) for k in EDITS] + [Article(text=base, id="src")]
    arts += [Article(text=change_words(other, 0.1, seed=3), id="o1"), Article(text=other, id="o2")]
    batch = {frozenset((m.a, m.b)) for m in CopyIndex().add_many(arts)}
    idx = CopyIndex()
    stream = {frozenset((m.a, m.b)) for a in arts for m in idx.add(a)}
    assert stream == batch and frozenset(("o1", "o2")) in batch and len(batch) >= 15


def test_remove_expire_save_load(tmp_path: Path, base: str, other: str) -> None:
    idx = CopyIndex()
    arts = [Article(text=base, id="old", published=T0 - timedelta(days=3)),
            Article(text=EDITS["dateline"](base, other), id="mid", published=T0 - timedelta(days=1)),
            Article(text=other, id="new", published=T0),
            Article(text=EDITS["drop_last"](other, base), id="notime")]
    idx.add_many(arts)
    probe = Article(text=EDITS["reorder"](base, other), id="probe")
    assert {m.b for m in idx.query(probe)} == {"old", "mid"}
    assert idx.remove("mid") and not idx.remove("mid") and "mid" not in idx
    assert {m.b for m in idx.query(probe)} == {"old"}
    assert idx.expire(T0 - timedelta(days=2)) == 1
    assert idx.query(probe) == [] and len(idx) == 2 and set(idx.ids) == {"new", "notime"}
    path = tmp_path / "copies.npz"
    idx.save(path)
    back = CopyIndex.load(path)
    assert set(back.ids) == {"new", "notime"} and back.threshold == idx.threshold
    assert [(m.a, m.b) for m in back.add(Article(text=other + " جديد", id="again"))] == \
        [(m.a, m.b) for m in idx.add(Article(text=other + " جديد", id="again"))]
    assert back.expire(T0 + timedelta(days=1)) == 1  # times survive the round trip; "notime" is kept
    store = MemoryStore()
    holder = CopyIndex(storage=store)
    holder.add_many(arts)
    holder.save()
    again = CopyIndex.load(storage=store)
    assert set(again.ids) == {a.id for a in arts}
    assert {m.b for m in again.query(probe)} == {"old", "mid"}
    NpzStore(tmp_path / "dir").write("x", {"a": np.arange(3)})
    assert NpzStore(tmp_path / "dir").read("x")["a"].tolist() == [0, 1, 2]


def test_memory_per_article_is_reported(base: str) -> None:
    idx = CopyIndex()
    idx.add_many([Article(text=change_words(base, 0.3, seed=k), id=str(k)) for k in range(50)])
    in_dicts = idx.memory_bytes() / len(idx)  # recent additions sit in dict buckets
    idx.compact()  # ... until merged into the sorted arrays
    per = idx.memory_bytes() / len(idx)
    assert 500 < per < 6_000 < in_dicts


# ---- alignment

def test_alignment_shares_and_adds() -> None:
    s1 = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة بسعة خمسمائة سرير."
    s2 = "وقال الوزير إن المستشفى سيخدم أكثر من مليون نسمة في المنطقة الغربية."
    s3 = "وأضاف أن العمل على المشروع استغرق ثلاث سنوات بتكلفة بلغت مليار ريال."
    s4 = "ومن جهة أخرى شهدت المدينة أمطارا غزيرة خلال الأسبوع الماضي."
    a = "\n".join([s1, s2, s3])
    b = "\n".join([s1, s2.replace("أكثر", "اكثر"), s4])
    al = align(a, b)
    assert al.added_a == [s3] and al.added_b == [s4]
    words = [len(mh.words(s)) for s in (s1, s2, s3)]
    assert al.reused_a == pytest.approx((words[0] + words[1]) / sum(words))
    assert [(p.index, p.source_index) for p in al.passages] == [(0, 0), (1, 1)]
    assert align(a, "").reused_a == 0.0 and align("", b).added_a == []


# ---- groups and origin

def test_origin_is_the_credited_agency_even_when_crawled_later(base: str) -> None:
    spa = Article(text=base, id="spa", outlet="was", published=T0 + timedelta(hours=2))
    paper = Article(text="جدة - واس\n" + base, id="paper", outlet="okaz", published=T0)
    paper2 = Article(text=EDITS["drop_last"](base, "") + "\n(واس)", id="paper2", outlet="alriyadh",
                     published=T0 + timedelta(hours=1))
    assert outlet_agency("was").key == "spa"
    assert "Saudi Press Agency" in credited_agencies(paper)
    assert "Saudi Press Agency" in credited_agencies(paper2)
    assert "Saudi Press Agency" not in credited_agencies(spa)
    (g,) = find_copies([paper, spa, paper2])
    assert g.origin == "spa" and g.agency == "Saudi Press Agency" and "credited" in g.reason
    assert [m.id for m in g.members][0] == "spa"
    assert {m.id: m.source for m in g.members[1:]} == {"paper": "spa", "paper2": "spa"}
    p2 = next(m for m in g.members if m.id == "paper2")
    assert p2.reused > 0.99 and p2.adds == ["(واس)"]


def test_origin_by_time_and_by_agency_when_times_are_missing(base: str, other: str) -> None:
    a = Article(text=base, id="a", outlet="x", published=T0 + timedelta(days=2))
    b = Article(text=EDITS["lead"](base, other), id="b", outlet="y", published=T0)
    (g,) = find_copies([a, b])
    assert g.origin == "b" and g.reason == "earliest publication"
    assert next(m for m in g.members if m.id == "a").source == "b"
    lead, copy = g.members
    assert lead.id == "b" and copy.adds == [] and copy.reused == 1.0
    assert len(lead.adds) == 1 and lead.adds[0].startswith(" ".join(other.split()[:5]))  # its own paragraph
    # no times: the copy crediting an agency names it; an agency's own item wins
    c = Article(text="موسكو (سبوتنيك) - " + NEUTRAL, id="c", outlet="paper")
    d = Article(text=NEUTRAL, id="d", outlet="other paper")
    (g2,) = find_copies([d, c])
    assert g2.agency == "Sputnik" and "Sputnik" in g2.reason
    e = Article(text=NEUTRAL + "\nوأضاف", id="e", outlet="Sputnik")
    (g3,) = find_copies([c, d, e])
    assert g3.origin == "e"


def test_groups_are_components_and_lone_articles_are_left_out(base: str, other: str) -> None:
    arts = [Article(text=base, id="a1"), Article(text=EDITS["dateline"](base, other), id="a2"),
            Article(text=other, id="b1"), Article(text=EDITS["words_15"](other, base), id="b2"),
            Article(text="نص قصير مختلف تماما عن غيره من النصوص في هذه المجموعة الصغيرة هنا", id="alone")]
    idx = CopyIndex()
    groups = copy_groups(arts, idx.add_many(arts))
    assert sorted(sorted(m.id for m in g.members) for g in groups) == [["a1", "a2"], ["b1", "b2"]]
    json.dumps([g.to_dict() for g in groups], ensure_ascii=False)


# ---- CLI

def test_cli_on_examples(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[1] / "examples"
    assert main(["copies", str(root / "seeds"), "--json"]) == 0
    assert capsys.readouterr().out.strip() == ""  # the two seeds are one story, not one text
    assert main(["copies", str(root / "saudinewsnet"), "--json", "--threshold", "0.5", "--containment", "0.8"]) == 0
    groups = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(groups) > 20
    for g in groups:
        assert len(g["members"]) >= 2 and g["members"][0]["id"] == g["origin"]
        for p in g["pairs"]:
            assert p["jaccard"] >= 0.5 or max(p["contained_a"], p["contained_b"]) >= 0.8


def test_cli_reports_a_malformed_file_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   base: str) -> None:
    (tmp_path / "a.txt").write_text(base, encoding="utf-8")
    (tmp_path / "b.txt").write_text("الرياض - واس\n" + base, encoding="utf-8")
    (tmp_path / "broken.json").write_text('[{"title": "x", "content": ', encoding="utf-8")
    assert main(["copies", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert "broken.json" in out.err and "1 copy groups" in out.err
    assert "origin" in out.out


@pytest.mark.slow
def test_saudinewsnet_spa_items_have_spa_as_origin(shared_data: Path) -> None:
    from khabar.read import read

    arts = list(read(shared_data / "saudinewsnet"))
    for k, a in enumerate(arts):
        a.id = str(k)
    groups = find_copies(arts, with_alignment=False)
    by_id = {a.id: a for a in arts}
    with_papers = [g for g in groups if {by_id[m.id].outlet == "was" for m in g.members} == {True, False}]
    spa_origin = [g for g in with_papers if by_id[g.origin].outlet == "was"]
    assert len(spa_origin) >= 100 and len(spa_origin) >= 0.8 * len(with_papers)
