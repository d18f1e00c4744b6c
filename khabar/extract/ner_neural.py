"""A small neural NER tagger run in numpy: word vectors, clitic pieces, a character CNN, dilated convolutions.

Each token gets the PPMI-SVD vector of its clitic-free core (``khabar.extract.ner_vectors``, learnt from
unlabelled news), an embedding of its normalised form when the training data saw it often enough, embeddings of
its proclitic, enclitic, shape and gazetteer tag, and a character CNN over its core. Three residual dilated
convolutions (widths 3, dilations 1, 2, 3) give each token ±6 tokens of context; a softmax gives BIO tag
log-probabilities, which the CRF adds to its own state scores (``khabar.extract.ner``). Trained with torch
(``khabar train ner``, an optional training-only dependency); inference needs only numpy and caches everything
that depends on the token alone, so it stays fast on one core.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from khabar.extract.ner_features import Gazetteer, split_proclitic, word_shape
from khabar.lang.normalize import normalize

DILATIONS = (1, 2, 3)
GAZ_TAGS = ("", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-TITLE", "I-TITLE", "B-ORGCUE", "I-ORGCUE", "B-PERS", "I-PERS")
_GAZ_INDEX = {t: i for i, t in enumerate(GAZ_TAGS)}
SHAPES = ("punct", "ars", "arm", "arl", "ar9s", "ar9m", "ar9l", "lats", "latm", "latl", "lat9s", "lat9m", "lat9l",
          "nums", "numm", "numl")
MAX_CHARS = 16


def _pieces(token: str) -> tuple[str, str, str]:
    """Normalised ``(proclitic, core, enclitic)`` of a token."""
    from khabar.lang.tokens import split_clitics

    pro, core, enc = split_clitics(token)
    norm_core = normalize(core) or core
    return normalize(pro), norm_core, normalize(enc)


class Vocab:
    """The string tables of a neural model: cores with vectors, trained words, clitics and characters."""

    def __init__(self, cores: Sequence[str], words: Sequence[str], pros: Sequence[str], encs: Sequence[str],
                 chars: Sequence[str]):
        self.cores = {c: i + 1 for i, c in enumerate(cores)}  # 0: no vector
        self.words = {w: i + 1 for i, w in enumerate(words)}  # 0: rare or unseen
        self.pros = {p: i + 1 for i, p in enumerate(pros)}
        self.encs = {e: i + 1 for i, e in enumerate(encs)}
        self.chars = {c: i + 2 for i, c in enumerate(chars)}  # 0: padding, 1: unknown character
        self.lists = {"cores": list(cores), "words": list(words), "pros": list(pros), "encs": list(encs),
                      "chars": list(chars)}

    def token_ids(self, token: str, pieces: tuple[str, str, str, str] | None = None,
                  ) -> tuple[int, int, int, int, int, list[int]]:
        """``(core, word, proclitic, enclitic, shape, chars)`` ids of a token (``pieces``: its normalised form,
        proclitic, core and enclitic when the caller has them)."""
        if pieces is None:
            norm = normalize(token) or token
            pro, core, enc = _pieces(token)
        else:
            norm, pro, core, enc = pieces
        shape = word_shape(norm)
        chars = [self.chars.get(c, 1) for c in core[:MAX_CHARS]] or [1]
        return (self.cores.get(core, 0), self.words.get(norm, 0), self.pros.get(pro, 0), self.encs.get(enc, 0),
                SHAPES.index(shape) if shape in SHAPES else 0, chars)


def gazetteer_ids(gazetteer: Gazetteer, tokens: Sequence[str]) -> list[int]:
    """The gazetteer BIO tag id of each token of a sentence."""
    norms = [normalize(t) or t for t in tokens]
    variants = []
    for norm in norms:
        pro, rest = split_proclitic(norm)
        variants.append((norm, rest, "ال" + rest) if pro.endswith("ال") else (norm, rest) if pro else (norm,))
    return [_GAZ_INDEX.get(t, 0) for t in gazetteer.tags(norms, variants)]


def build_vocab(sentences: Sequence[Sequence[tuple[str, str]]], cores: Sequence[str], *, min_word: int = 2) -> Vocab:
    """The vocabulary of a model trained on ``sentences`` (words seen ``min_word`` times or more get embeddings)."""
    words: Counter[str] = Counter()
    pros: Counter[str] = Counter()
    encs: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for s in sentences:
        for tok, _ in s:
            words[normalize(tok) or tok] += 1
            pro, core, enc = _pieces(tok)
            pros[pro] += 1
            encs[enc] += 1
            chars.update(core)
    keep = sorted(w for w, n in words.items() if n >= min_word)
    return Vocab(cores, keep, sorted(p for p in pros if p), sorted(e for e in encs if e),
                 sorted(c for c, n in chars.items() if n >= 2))


class NeuralModel:
    """Numpy inference of a trained neural tagger: ``log_probs(tokens)`` -> (n, n_labels)."""

    def __init__(self, weights: dict[str, np.ndarray], vocab: Vocab, labels: list[str], gazetteer: Gazetteer):
        self.w = {k: v.astype(np.float32) for k, v in weights.items()}
        self.vocab = vocab
        self.labels = labels
        self.gazetteer = gazetteer
        self._cache: dict[str, np.ndarray] = {}
        w = self.w
        # the input layer is linear: split its matrix by input part, fold the embeddings into it
        d = [w["core"].shape[1], w["word"].shape[1], w["pro"].shape[1], w["enc"].shape[1], w["shape"].shape[1],
             w["char_conv"].shape[0], w["gaz"].shape[1]]
        cuts = np.cumsum([0, *d])
        m = w["in_w"]  # (H, D)
        parts = [m[:, cuts[i]:cuts[i + 1]] for i in range(len(d))]
        self._core = w["core"] @ parts[0].T
        self._word = w["word"] @ parts[1].T
        self._pro = w["pro"] @ parts[2].T
        self._enc = w["enc"] @ parts[3].T
        self._shape = w["shape"] @ parts[4].T
        self._char_out = parts[5].T
        self._gaz = w["gaz"] @ parts[6].T + w["in_b"]
        # character convolution: (filters, emb, 3) -> per-offset matrices (emb, filters)
        cw = w["char_conv"]
        self._cw = [cw[:, :, k].T for k in range(cw.shape[2])]
        self._convs = []
        for i in range(len(DILATIONS)):
            k = w[f"conv{i}_w"]  # (H, H, 3)
            self._convs.append(([k[:, :, j].T for j in range(k.shape[2])], w[f"conv{i}_b"]))

    @classmethod
    def load(cls, path: Path, gazetteer: Gazetteer) -> NeuralModel:
        """Open an .npz written by ``save_model``."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            weights = {k: z[k] for k in z.files if k != "meta"}
        v = meta["vocab"]
        return cls(weights, Vocab(v["cores"], v["words"], v["pros"], v["encs"], v["chars"]), meta["labels"],
                   gazetteer)

    def _token_vector(self, token: str, pieces: tuple[str, str, str, str] | None = None) -> np.ndarray:
        """The token's contribution to the input layer (everything but the gazetteer tag), cached."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        core, word, pro, enc, shape, chars = self.vocab.token_ids(token, pieces)
        e = self.w["char_emb"][chars]  # (L, E)
        z = np.zeros((1, e.shape[1]), dtype=np.float32)
        padded = np.concatenate([z, e, z])
        conv = padded[:-2] @ self._cw[0] + padded[1:-1] @ self._cw[1] + padded[2:] @ self._cw[2]
        charvec = np.maximum(conv + self.w["char_b"], 0).max(axis=0)
        vec = (self._core[core] + self._word[word] + self._pro[pro] + self._enc[enc] + self._shape[shape]
               + charvec @ self._char_out)
        if len(self._cache) < 500_000:
            self._cache[token] = vec
        return vec

    def log_probs(self, tokens: Sequence[str], gazetteer_tags: Sequence[str] | None = None,
                  pieces: Sequence[tuple[str, str, str, str]] | None = None) -> np.ndarray:
        """Log-probabilities ``(n_tokens, n_labels)`` of each label at each token of a sentence.

        ``gazetteer_tags`` and ``pieces`` (each token's normalised form, proclitic, core and enclitic) when the
        caller has them (``FeatureExtractor.sentence_parts``): the same as this model computes, computed once.
        """
        if gazetteer_tags is None:
            gaz = gazetteer_ids(self.gazetteer, tokens)
        else:
            gaz = [_GAZ_INDEX.get(t, 0) for t in gazetteer_tags]
        if pieces is None:
            vectors = [self._token_vector(t) for t in tokens]
        else:
            vectors = [self._token_vector(t, p) for t, p in zip(tokens, pieces, strict=True)]
        x = np.stack(vectors) + self._gaz[gaz]
        h = np.maximum(x, 0)
        n = len(tokens)
        for i, ((k0, k1, k2), b) in enumerate(self._convs):
            dil = DILATIONS[i]
            y = h @ k1 + b
            if n > dil:
                y[dil:] += h[:-dil] @ k0
                y[:-dil] += h[dil:] @ k2
            h = h + np.maximum(y, 0)
        logits = h @ self.w["out_w"].T + self.w["out_b"]
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


# --- training (torch) ------------------------------------------------------------------------------------


def train_neural(sentences: Sequence[Sequence[tuple[str, str]]], cores: Sequence[str], core_vectors: np.ndarray,
                 gazetteer: Gazetteer, labels: Sequence[str], *, epochs: int = 20, seed: int = 0,
                 hidden: int = 128, progress=None,
                 snapshots: dict[int, dict[str, np.ndarray]] | None = None) -> tuple[dict[str, np.ndarray], Vocab]:
    """Train the tagger on ``(token, tag)`` sentences; its weights (numpy) and vocabulary. Deterministic per seed.

    With ``snapshots`` (epoch -> None), the weights after each of those epochs (1-based) are stored in it.
    """
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    vocab = build_vocab(sentences, cores)
    label_ids = {lab: i for i, lab in enumerate(labels)}
    data = []
    for s in sentences:
        toks = [t for t, _ in s]
        ids = [vocab.token_ids(t) for t in toks]
        data.append((ids, gazetteer_ids(gazetteer, toks), [label_ids[t] for _, t in s]))

    vec = np.zeros((len(cores) + 1, core_vectors.shape[1]), dtype=np.float32)
    vec[1:] = core_vectors / (np.linalg.norm(core_vectors, axis=1, keepdims=True) + 1e-9)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.core = nn.Embedding.from_pretrained(torch.from_numpy(vec), freeze=True)
            self.word = nn.Embedding(len(vocab.words) + 1, 32)
            self.pro = nn.Embedding(len(vocab.pros) + 1, 8)
            self.enc = nn.Embedding(len(vocab.encs) + 1, 8)
            self.shape = nn.Embedding(len(SHAPES), 4)
            self.gaz = nn.Embedding(len(GAZ_TAGS), 8)
            self.char_emb = nn.Embedding(len(vocab.chars) + 2, 16, padding_idx=0)
            self.char_conv = nn.Conv1d(16, 48, 3, padding=1)
            d = vec.shape[1] + 32 + 8 + 8 + 4 + 48 + 8
            self.inp = nn.Linear(d, hidden)
            self.convs = nn.ModuleList(nn.Conv1d(hidden, hidden, 3, padding=k, dilation=k) for k in DILATIONS)
            self.out = nn.Linear(hidden, len(labels))
            self.drop = nn.Dropout(0.3)

        def forward(self, core, word, pro, enc, shape, gaz, chars, char_mask):
            b, n, c = chars.shape
            ce = self.char_emb(chars.view(b * n, c)).transpose(1, 2)
            cc = torch.relu(self.char_conv(ce)).masked_fill(~char_mask.view(b * n, 1, c), 0.0)
            charvec = cc.max(dim=2).values.view(b, n, -1)
            x = torch.cat([self.core(core), self.word(word), self.pro(pro), self.enc(enc), self.shape(shape),
                           charvec, self.gaz(gaz)], dim=2)
            h = torch.relu(self.inp(self.drop(x))).transpose(1, 2)  # (b, H, n)
            for conv in self.convs:
                h = h + torch.relu(conv(self.drop(h)))
            return self.out(self.drop(h.transpose(1, 2)))

    net = Net()
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=2e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-1)

    def batch(items, word_dropout: float):
        n = max(len(it[2]) for it in items)
        c = max(len(ch) for it in items for *_, ch in it[0])
        arr = {k: np.zeros((len(items), n), dtype=np.int64) for k in ("core", "word", "pro", "enc", "shape", "gaz")}
        y = np.full((len(items), n), -1, dtype=np.int64)
        chars = np.zeros((len(items), n, c), dtype=np.int64)
        for i, (ids, gaz, tags) in enumerate(items):
            for j, (core, word, pro, enc, shape, ch) in enumerate(ids):
                if word_dropout and rng.random() < word_dropout:
                    word = 0
                arr["core"][i, j], arr["word"][i, j], arr["pro"][i, j] = core, word, pro
                arr["enc"][i, j], arr["shape"][i, j] = enc, shape
                chars[i, j, : len(ch)] = ch
            arr["gaz"][i, : len(gaz)] = gaz
            y[i, : len(tags)] = tags
        t = {k: torch.from_numpy(v) for k, v in arr.items()}
        ct = torch.from_numpy(chars)
        # the numpy model pads each word's characters alone: mask positions past the word's end
        mask = ct > 0
        mask[:, :, 0] = True
        return t, ct, mask, torch.from_numpy(y)

    order = np.arange(len(data))
    for epoch in range(epochs):
        net.train()
        rng.shuffle(order)
        for start in range(0, len(order), 32):
            t, ct, mask, y = batch([data[i] for i in order[start : start + 32]], 0.25)
            logits = net(t["core"], t["word"], t["pro"], t["enc"], t["shape"], t["gaz"], ct, mask)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        if progress is not None:
            progress(epoch)
        if snapshots is not None and epoch + 1 in snapshots:
            snapshots[epoch + 1] = _export(net)
    return _export(net), vocab


def _export(net) -> dict[str, np.ndarray]:
    """The numpy weights of a trained torch network."""
    sd = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    weights = {
        "core": sd["core.weight"], "word": sd["word.weight"], "pro": sd["pro.weight"], "enc": sd["enc.weight"],
        "shape": sd["shape.weight"], "gaz": sd["gaz.weight"], "char_emb": sd["char_emb.weight"],
        "char_conv": sd["char_conv.weight"], "char_b": sd["char_conv.bias"], "in_w": sd["inp.weight"],
        "in_b": sd["inp.bias"], "out_w": sd["out.weight"], "out_b": sd["out.bias"],
    }
    for i in range(len(DILATIONS)):
        weights[f"conv{i}_w"] = sd[f"convs.{i}.weight"]
        weights[f"conv{i}_b"] = sd[f"convs.{i}.bias"]
    return weights


def save_model(path: Path, weights: dict[str, np.ndarray], vocab: Vocab, labels: Sequence[str]) -> None:
    """Write the weights (float16) and the vocabulary to an .npz."""
    meta = json.dumps({"labels": list(labels), "vocab": vocab.lists}, ensure_ascii=False)
    arrays = {k: v.astype(np.float16) for k, v in weights.items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, meta=np.array(meta), **arrays)
    tmp.replace(path)
