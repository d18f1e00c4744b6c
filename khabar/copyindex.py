"""A streaming near-duplicate index: MinHash LSH candidates, each verified by exact Jaccard and containment.

Articles are added one at a time or in batches, removed by id, expired by age, and saved to / loaded from a
storage backend as compact numpy arrays (``NpzStore`` on disk, ``MemoryStore`` in memory, or anything with
``write(name, arrays)`` and ``read(name)``: the index never knows SQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from khabar.article import Article
from khabar.vectors import minhash as mh

_NO_TIME = np.iinfo(np.int64).min
_FORMAT = 1


@dataclass(slots=True, frozen=True)
class CopyMatch:
    """A verified pair (``a`` added after ``b``): exact Jaccard and the share of each one's shingles in the other."""

    a: str
    b: str
    jaccard: float
    contained_a: float  # |A ∩ B| / |A|: how much of a is in b
    contained_b: float  # |A ∩ B| / |B|

    @property
    def containment(self) -> float:
        """The containment of the smaller article in the larger one."""
        return max(self.contained_a, self.contained_b)


class ArrayStore(Protocol):
    """A storage backend for the index: named groups of numpy arrays."""

    def write(self, name: str, arrays: dict[str, np.ndarray]) -> None: ...

    def read(self, name: str) -> dict[str, np.ndarray]: ...


class MemoryStore:
    """Keeps saved indexes in a dict (tests, and a model for other backends)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, np.ndarray]] = {}

    def write(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        self.data[name] = {k: np.array(v, copy=True) for k, v in arrays.items()}

    def read(self, name: str) -> dict[str, np.ndarray]:
        if name not in self.data:
            raise KeyError(f"no saved index named {name!r}")
        return dict(self.data[name])


class NpzStore:
    """Saves each index as one uncompressed ``.npz`` file in a directory (or at a path ending in .npz)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _file(self, name: str) -> Path:
        return self.path if self.path.suffix == ".npz" else self.path / f"{name}.npz"

    def write(self, name: str, arrays: dict[str, np.ndarray]) -> None:
        f = self._file(name)
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f.name + ".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(f)  # atomic: an interrupted save never leaves a broken index

    def read(self, name: str) -> dict[str, np.ndarray]:
        with np.load(self._file(name), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}


def _seconds(t: datetime | date | None) -> int:
    if t is None:
        return int(_NO_TIME)
    if not isinstance(t, datetime):
        t = datetime(t.year, t.month, t.day)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return int(t.timestamp())


def _strings_to_array(items: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    raw = [s.encode("utf-8") for s in items]
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(r) for r in raw])
    return np.frombuffer(b"".join(raw), dtype=np.uint8).copy(), offsets


def _array_to_strings(data: np.ndarray, offsets: np.ndarray) -> list[str]:
    buf = data.tobytes()
    return [buf[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]


def exact_overlap(sa: np.ndarray, sb: np.ndarray) -> tuple[float, float, float]:
    """Exact (Jaccard, share of a in b, share of b in a) of two sorted unique shingle arrays."""
    la, lb = len(sa), len(sb)
    if la == 0 or lb == 0:
        return 0.0, 0.0, 0.0
    small, big = (sa, sb) if la <= lb else (sb, sa)
    pos = np.searchsorted(big, small)
    pos[pos == len(big)] = 0
    inter = int(np.count_nonzero(big[pos] == small))
    return inter / (la + lb - inter), inter / la, inter / lb


class _Table:
    """One sorted bucket table: flat band keys and the slot of each, looked up by binary search."""

    def __init__(self, keys: np.ndarray | None = None, slots: np.ndarray | None = None) -> None:
        if keys is None or slots is None:
            keys, slots = np.zeros(0, np.uint64), np.zeros(0, np.int32)
        order = np.argsort(keys, kind="stable")
        self.keys, self.slots = keys[order], slots[order].astype(np.int32)

    def lookup(self, q: np.ndarray, max_count: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(index into q, slot) for every stored key equal to a key of ``q`` (keys holding > max_count skipped)."""
        if len(self.keys) == 0 or len(q) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        order = np.argsort(q) if len(q) > 4096 else None
        sq = q[order] if order is not None else q  # sorted needles: cache-friendly binary search
        lo = np.searchsorted(self.keys, sq, "left")
        hi = np.searchsorted(self.keys, sq, "right")
        if order is not None:
            lo[order], hi[order] = lo.copy(), hi.copy()
        counts = hi - lo
        if max_count:
            counts[counts > max_count] = 0
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        qi = np.repeat(np.arange(len(q), dtype=np.int64), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        pos = lo[qi] + (np.arange(total) - first)
        return qi, self.slots[pos]

    def merged(self, keys: np.ndarray, slots: np.ndarray, alive: np.ndarray) -> _Table:
        """A new table with these entries added and the entries of dead slots dropped."""
        keep = alive[self.slots]
        return _Table(np.concatenate([self.keys[keep], keys]), np.concatenate([self.slots[keep], slots]))

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.slots.nbytes


class _Buckets:
    """Bucket keys → slots: a sorted ``_Table`` plus dict buckets for recent additions, merged in bulk."""

    def __init__(self) -> None:
        self.main = _Table()
        self.pending: dict[int, list[int]] = {}
        self.n_pending = 0

    def lookup(self, q: np.ndarray, max_count: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(index into q, slot) for every held entry with a key of ``q`` (keys holding > max_count skipped)."""
        qi, slots = self.main.lookup(q, max_count)
        if not self.pending:
            return qi, slots
        pqi: list[int] = []
        held: list[int] = []
        pend = self.pending
        for i, key in enumerate(q.tolist()):
            lst = pend.get(key)
            if lst and (not max_count or len(lst) <= max_count):
                pqi.extend([i] * len(lst))
                held.extend(lst)
        return np.concatenate([qi, np.array(pqi, np.int64)]), np.concatenate([slots, np.array(held, np.int32)])

    def add(self, keys: np.ndarray, slots: np.ndarray, alive: np.ndarray) -> None:
        """Add entries: a big batch straight into the sorted table, a small one into dict buckets."""
        if len(keys) >= 8192:
            self.flush(alive, keys, slots)
            return
        pend = self.pending
        for key, slot in zip(keys.tolist(), slots.tolist(), strict=True):
            lst = pend.get(key)
            if lst is None:
                pend[key] = [slot]
            else:
                lst.append(slot)
        self.n_pending += len(keys)
        if self.n_pending > max(65536, len(self.main.keys) // 8):
            self.flush(alive)

    def flush(self, alive: np.ndarray, keys: np.ndarray | None = None, slots: np.ndarray | None = None) -> None:
        """Merge the dict buckets (and these new entries) into the sorted table."""
        parts_k = [] if keys is None else [keys]
        parts_s = [] if slots is None else [slots.astype(np.int32)]
        if self.pending:
            parts_k.append(np.fromiter((k for k, v in self.pending.items() for _ in v), np.uint64))
            parts_s.append(np.fromiter((s for v in self.pending.values() for s in v), np.int32))
        if parts_k:
            self.main = self.main.merged(np.concatenate(parts_k), np.concatenate(parts_s), alive)
        self.pending = {}
        self.n_pending = 0

    def reset(self, keys: np.ndarray, slots: np.ndarray) -> None:
        self.main = _Table(keys, slots)
        self.pending = {}
        self.n_pending = 0

    @property
    def nbytes(self) -> int:
        return self.main.nbytes + 120 * self.n_pending


class CopyIndex:
    """Near-duplicate index over normalised word shingles: add, query, remove, expire, save, load.

    A pair is a copy when the exact Jaccard of the shingle sets reaches ``threshold`` or the share of the
    smaller article found in the larger reaches ``containment``; articles with fewer than ``min_shingles``
    shingles (empty, one-word) are kept but never match. LSH bands are tuned to ``lsh_threshold`` (lower than
    ``threshold``, so contained articles become candidates too); every candidate is verified exactly.
    """

    def __init__(self, threshold: float = 0.3, containment: float = 0.5, *, shingle: int = 3,
                 num_perm: int = 128, lsh_threshold: float | None = None, min_shingles: int = 8,
                 method: str = "oph", seed: int = 1, sample_rate: int = 8, max_bucket: int = 100,
                 storage: ArrayStore | None = None) -> None:
        self.threshold = threshold
        self.containment = containment
        self.shingle = shingle
        self.num_perm = num_perm
        self.lsh_threshold = lsh_threshold if lsh_threshold is not None else min(0.15, threshold)
        self.min_shingles = min_shingles
        self.method = method
        self.seed = seed
        self.sample_rate = sample_rate  # 0: LSH bands only
        self.max_bucket = max_bucket  # a sampled shingle held by more articles is boilerplate: skipped
        self.storage = storage
        self.bands, self.rows = mh.lsh_params(self.lsh_threshold, num_perm)
        self._ids: list[str] = []
        self._slot: dict[str, int] = {}
        self._shingles: list[np.ndarray] = []
        cap = 1024
        self._sigs = np.zeros((cap, num_perm), np.uint32)
        self._time = np.full(cap, _NO_TIME, np.int64)
        self._alive = np.zeros(cap, bool)
        self._nsh = np.zeros(cap, np.int64)
        self._bands = _Buckets()  # LSH band keys
        self._samples = _Buckets()  # sampled shingles (1 in sample_rate): candidates by containment
        self._dead = 0

    # ---- sizes
    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, id: str) -> bool:
        return id in self._slot

    @property
    def ids(self) -> list[str]:
        """The ids held, in insertion order."""
        return [i for i in self._ids if i in self._slot]

    def shingles(self, id: str) -> np.ndarray:
        """The sorted shingle hashes of an indexed article."""
        return self._shingles[self._slot[id]]

    def memory_bytes(self) -> int:
        """Bytes held by the arrays, the shingle sets and the id map (an estimate of Python overheads included)."""
        n = len(self._ids)
        arrays = (self._sigs[:n].nbytes + self._time[:n].nbytes + n
                  + self._nsh[:n].nbytes + self._bands.nbytes + self._samples.nbytes)
        shingles = sum(s.nbytes + 112 for s in self._shingles)  # 112: numpy array header
        ids = sum(len(i) + 49 + 8 + 100 for i in self._ids)  # str, list slot, dict entry
        return arrays + shingles + ids

    # ---- building
    def _grow(self, need: int) -> None:
        cap = len(self._alive)
        if need <= cap:
            return
        new = max(need, cap * 2)
        for name in ("_sigs",):
            old = getattr(self, name)
            arr = np.zeros((new, old.shape[1]), old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)
        t = np.full(new, _NO_TIME, np.int64)
        t[:cap] = self._time
        a = np.zeros(new, bool)
        a[:cap] = self._alive
        c = np.zeros(new, np.int64)
        c[:cap] = self._nsh
        self._time, self._alive, self._nsh = t, a, c

    def shingle_sets(self, articles: Sequence[Article]) -> list[np.ndarray]:
        """The shingle sets of articles' bodies (the title is left out: copies often retitle)."""
        return mh.shingle_sets([mh.word_hashes(a.text or "") for a in articles], self.shingle)

    def add(self, article: Article) -> list[CopyMatch]:
        """Index one article; return its verified matches among the articles already held."""
        return self.add_many([article])

    def add_many(self, articles: Iterable[Article], batch_size: int = 4096,
                 progress: Callable[[int], None] | None = None) -> list[CopyMatch]:
        """Index articles in batches; return every verified match found (new vs held, and within the batch)."""
        out: list[CopyMatch] = []
        batch: list[Article] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= batch_size:
                out.extend(self._add_batch(batch))
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            out.extend(self._add_batch(batch))
            if progress:
                progress(len(batch))
        return out

    def add_sets(self, ids: Sequence[str], sets: Sequence[np.ndarray],
                 published: Sequence[datetime | date | None] | None = None) -> list[CopyMatch]:
        """Index precomputed shingle sets (sorted unique uint32 arrays) under these ids."""
        return self._add_sets(list(ids), list(sets), published)

    def _add_batch(self, batch: list[Article]) -> list[CopyMatch]:
        return self._add_sets([a.id for a in batch], self.shingle_sets(batch), [a.published for a in batch])

    def _add_sets(self, ids: list[str], sets: list[np.ndarray],
                  published: Sequence[datetime | date | None] | None) -> list[CopyMatch]:
        # an id seen again replaces the old entry
        seen: dict[str, int] = {}
        for i, id_ in enumerate(ids):
            seen[id_] = i
        keep = sorted(seen.values())
        if len(keep) < len(ids):
            ids = [ids[i] for i in keep]
            sets = [sets[i] for i in keep]
            published = [published[i] for i in keep] if published is not None else None
        for id_ in ids:
            if id_ in self._slot:
                self.remove(id_)
        m = len(ids)
        if m == 0:
            return []
        sigs = mh.signatures(sets, self.num_perm, self.seed, self.method)
        keys = mh.band_keys(sigs, self.bands, self.rows)
        lens = np.array([len(s) for s in sets])
        usable = lens >= self.min_shingles
        start = len(self._ids)
        self._grow(start + m)
        slots = np.arange(start, start + m, dtype=np.int32)
        self._sigs[start:start + m] = sigs
        self._time[start:start + m] = [_seconds(t) for t in (published or [None] * m)]
        self._alive[start:start + m] = True
        self._nsh[start:start + m] = lens
        self._ids.extend(ids)
        self._shingles.extend(sets)
        for id_, s in zip(ids, slots, strict=True):
            self._slot[id_] = int(s)

        # candidates by LSH bands: new vs held, then within the batch
        ui = np.nonzero(usable)[0]
        q = keys[ui].ravel()
        pairs = []
        qi, held = self._bands.lookup(q)
        if len(qi):
            pairs.append(np.stack([slots[ui[qi // self.bands]].astype(np.int64), held.astype(np.int64)], 1))
        inner = mh.same_bucket_pairs(keys[ui])
        if len(inner):
            pairs.append(slots[ui[inner]].astype(np.int64))
        self._bands.add(q, np.repeat(slots[ui], self.bands), self._alive)
        # candidates by sampled shingles (a short text inside a long one): added first, so the batch meets itself
        if self.sample_rate:
            sk, ss = self._sampled(sets, slots, ui)
            self._samples.add(sk, ss, self._alive)
            qi, held = self._samples.lookup(sk, self.max_bucket)
            if len(qi):
                new = ss[qi].astype(np.int64)
                held = held.astype(np.int64)
                keep = (held != new) & ((held < start) | (held < new))
                code, count = np.unique(new[keep] * len(self._alive) + held[keep], return_counts=True)
                x, y = code // len(self._alive), code % len(self._alive)
                ok = count >= self._min_shared(np.minimum(self._nsh[x], self._nsh[y]))
                pairs.append(np.stack([x[ok], y[ok]], 1))
        return self._verify(np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64))

    def _min_shared(self, smaller: np.ndarray) -> np.ndarray:
        """Sampled shingles two articles must share to be candidates by containment.

        The smaller holds about ``smaller / sample_rate`` sampled shingles; at the containment threshold it
        shares that share of them. Asking for 40% of that expectation (at least 1, 2 from 4 expected) keeps the
        binomial miss rate low while boilerplate-only overlaps drop out before exact verification.
        """
        expected = smaller / self.sample_rate * self.containment
        return np.maximum(np.where(expected >= 4, 2, 1), np.floor(0.4 * expected))

    def _sampled(self, sets: Sequence[np.ndarray], slots: np.ndarray, ui: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sampled shingles (those ≡ 0 mod sample_rate) of the usable new articles, with their slots."""
        if len(ui) == 0:
            return np.zeros(0, np.uint64), np.zeros(0, np.int32)
        chosen = [sets[i][sets[i] % np.uint32(self.sample_rate) == 0] for i in ui.tolist()]
        keys = np.concatenate(chosen).astype(np.uint64)
        return keys, np.repeat(slots[ui], [len(c) for c in chosen]).astype(np.int32)

    def _verify(self, pairs: np.ndarray) -> list[CopyMatch]:
        """Exact verification of candidate slot pairs, after a MinHash estimate prefilter with a safe margin."""
        if len(pairs) == 0:
            return []
        pairs.sort(axis=1)
        n = len(self._alive)
        code = np.unique(pairs[:, 0] * n + pairs[:, 1])
        b, a = code // n, code % n  # a: the article added later
        ok = self._alive[a] & self._alive[b] & (a != b)
        a, b = a[ok], b[ok]
        lens = self._nsh.astype(np.float64)
        est = np.empty(len(a))
        for s in range(0, len(a), 65536):
            est[s:s + 65536] = (self._sigs[a[s:s + 65536]] == self._sigs[b[s:s + 65536]]).mean(1)
        la, lb = lens[a], lens[b]
        # 3.5 binomial standard deviations of the estimate (at least as for J = 2/P), plus one hash's worth
        p = np.clip(est, 2.0 / self.num_perm, 0.5)
        margin = 3.5 * np.sqrt(p * (1 - p) / self.num_perm) + 1.0 / self.num_perm
        # the largest containment consistent with the estimate: |A∩B| = J(|A|+|B|)/(1+J)
        c_hi = np.clip(est + margin, 0.0, 1.0)
        c_est = c_hi * (la + lb) / ((1 + c_hi) * np.minimum(la, lb))
        keep = (est + margin >= self.threshold) | (c_est >= self.containment)
        a, b = a[keep], b[keep]
        inter = self._intersections(a, b)
        la, lb = lens[a], lens[b]
        with np.errstate(invalid="ignore", divide="ignore"):
            jac = inter / (la + lb - inter)
            ca, cb = inter / la, inter / lb
        ok = (np.minimum(la, lb) >= self.min_shingles) & (
            (jac >= self.threshold) | (np.maximum(ca, cb) >= self.containment))
        ids = self._ids
        return [CopyMatch(ids[x], ids[y], j, p, q) for x, y, j, p, q in zip(
            a[ok].tolist(), b[ok].tolist(), jac[ok].tolist(), ca[ok].tolist(), cb[ok].tolist(), strict=True)]

    def _intersections(self, a: np.ndarray, b: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """|A ∩ B| for slot pairs, vectorised: one sorted array of (pair, shingle) keys per chunk of pairs."""
        out = np.zeros(len(a), np.float64)
        sh = self._shingles
        for s in range(0, len(a), chunk):
            xa, xb = a[s:s + chunk].tolist(), b[s:s + chunk].tolist()
            la = np.array([len(sh[x]) for x in xa])
            lb = np.array([len(sh[y]) for y in xb])
            pid = np.arange(len(xa), dtype=np.uint64) << np.uint64(32)
            big = np.concatenate([sh[y] for y in xb]).astype(np.uint64) | np.repeat(pid, lb)
            small = np.concatenate([sh[x] for x in xa]).astype(np.uint64) | np.repeat(pid, la)
            pos = np.searchsorted(big, small)
            pos[pos == len(big)] = 0
            hit = big[pos] == small
            out[s:s + len(xa)] = np.bincount(np.repeat(np.arange(len(xa)), la), weights=hit, minlength=len(xa))
        return out

    def query(self, article: Article) -> list[CopyMatch]:
        """The verified matches of an article among those held, without adding it."""
        s = self.shingle_sets([article])[0]
        if len(s) < self.min_shingles:
            return []
        sig = mh.signatures([s], self.num_perm, self.seed, self.method)
        q = mh.band_keys(sig, self.bands, self.rows).ravel()
        found = [self._bands.lookup(q)[1]]
        if self.sample_rate:
            sk = s[s % np.uint32(self.sample_rate) == 0].astype(np.uint64)
            qi, held = self._samples.lookup(sk, self.max_bucket)
            slots_, count = np.unique(held, return_counts=True)
            found.append(slots_[count >= self._min_shared(np.minimum(len(s), self._nsh[slots_]))])
        slots = np.unique(np.concatenate(found))
        out = []
        for x in slots.tolist():
            if not self._alive[x]:
                continue
            j, ca, cb = exact_overlap(s, self._shingles[x])
            if len(self._shingles[x]) >= self.min_shingles and (
                    j >= self.threshold or max(ca, cb) >= self.containment):
                out.append(CopyMatch(article.id, self._ids[x], j, ca, cb))
        return out

    # ---- forgetting
    def remove(self, id: str) -> bool:
        """Forget an article; False when it was not held."""
        slot = self._slot.pop(id, None)
        if slot is None:
            return False
        self._alive[slot] = False
        self._shingles[slot] = mh._EMPTY
        self._nsh[slot] = 0
        self._dead += 1
        if self._dead > max(1024, len(self._ids) // 2):
            self.compact()
        return True

    def expire(self, older_than: datetime | date) -> int:
        """Forget every article published before ``older_than`` (those with no time are kept); the count."""
        cut = _seconds(older_than)
        n = len(self._ids)
        old = np.nonzero(self._alive[:n] & (self._time[:n] != _NO_TIME) & (self._time[:n] < cut))[0]
        for slot in old.tolist():
            self.remove(self._ids[slot])
        return len(old)

    def compact(self) -> None:
        """Drop removed articles from the arrays and bucket tables (slots are renumbered)."""
        n = len(self._ids)
        live = np.nonzero(self._alive[:n])[0]
        self._ids = [self._ids[i] for i in live]
        self._shingles = [self._shingles[i] for i in live]
        m = len(live)
        cap = max(1024, m)
        sigs = np.zeros((cap, self.num_perm), np.uint32)
        sigs[:m] = self._sigs[live]
        t, a, c = np.full(cap, _NO_TIME, np.int64), np.zeros(cap, bool), np.zeros(cap, np.int64)
        t[:m], a[:m], c[:m] = self._time[live], True, self._nsh[live]
        self._sigs, self._time, self._alive, self._nsh = sigs, t, a, c
        self._slot = {id_: i for i, id_ in enumerate(self._ids)}
        self._rebuild_tables()
        self._dead = 0

    def _rebuild_tables(self) -> None:
        m = len(self._ids)
        usable = np.nonzero((self._nsh[:m] >= self.min_shingles) & self._alive[:m])[0]
        keys = mh.band_keys(self._sigs[usable], self.bands, self.rows)  # recomputed: not kept twice
        self._bands.reset(keys.ravel(), np.repeat(usable.astype(np.int32), self.bands))
        if self.sample_rate:
            sk, ss = self._sampled(self._shingles, np.arange(m, dtype=np.int32), usable)
            self._samples.reset(sk, ss)

    # ---- persistence
    def _params(self) -> dict:
        return {"format": _FORMAT, "threshold": self.threshold, "containment": self.containment,
                "shingle": self.shingle, "num_perm": self.num_perm, "lsh_threshold": self.lsh_threshold,
                "min_shingles": self.min_shingles, "method": self.method, "seed": self.seed,
                "sample_rate": self.sample_rate, "max_bucket": self.max_bucket}

    def save(self, path: str | Path | None = None, name: str = "copies") -> None:
        """Save to ``path`` (an .npz file or a directory) or, with no path, to the storage backend."""
        store: ArrayStore | None = NpzStore(path) if path is not None else self.storage
        if store is None:
            raise ValueError("CopyIndex.save needs a path or a storage backend")
        self.compact()
        m = len(self._ids)
        id_data, id_off = _strings_to_array(self._ids)
        lens = np.array([len(s) for s in self._shingles], dtype=np.int64)
        sh_off = np.zeros(m + 1, np.int64)
        sh_off[1:] = np.cumsum(lens)
        shingles = np.concatenate(self._shingles) if m else np.zeros(0, np.uint32)
        params = np.frombuffer(json.dumps(self._params()).encode(), dtype=np.uint8).copy()
        store.write(name, {"params": params, "ids": id_data, "id_offsets": id_off,
                           "shingles": shingles.astype(np.uint32), "shingle_offsets": sh_off,
                           "signatures": self._sigs[:m], "published": self._time[:m]})

    @classmethod
    def load(cls, path: str | Path | None = None, *, storage: ArrayStore | None = None,
             name: str = "copies") -> CopyIndex:
        """Load an index saved with ``save`` (from a path or from a storage backend)."""
        store = NpzStore(path) if path is not None else storage
        if store is None:
            raise ValueError("CopyIndex.load needs a path or a storage backend")
        z = store.read(name)
        p = json.loads(z["params"].tobytes().decode())
        if p.pop("format") != _FORMAT:
            raise ValueError("saved copy index has an unknown format")
        idx = cls(**p, storage=storage)
        ids = _array_to_strings(z["ids"], z["id_offsets"])
        off = z["shingle_offsets"]
        m = len(ids)
        idx._grow(m)
        idx._ids = ids
        idx._slot = {id_: i for i, id_ in enumerate(ids)}
        idx._shingles = [z["shingles"][off[i]:off[i + 1]].copy() for i in range(m)]
        idx._sigs[:m] = z["signatures"]
        idx._time[:m] = z["published"]
        idx._alive[:m] = True
        idx._nsh[:m] = np.diff(off)
        idx._rebuild_tables()
        return idx
