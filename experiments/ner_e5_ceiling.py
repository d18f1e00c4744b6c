"""How far can e5 (the one pretrained encoder that loads offline here) take the NER tagger? An experiment.

    python experiments/ner_e5_ceiling.py frozen    [--epochs 20]   # ~10 min on 2 cores
    python experiments/ner_e5_ceiling.py finetune  [--epochs 3]    # ~30 min on 2 cores

Both need torch (``pip install -e '.[train]'``) and ``../shared/data/anercorp/train.txt``. They train on the
held-out model's training block and score the dev block (the contiguous last sixth, as ``khabar eval ner``):

- ``frozen``: every word's multilingual-e5-small hidden states in its sentence («passage: ...»; all 13 layers,
  averaged over the word's pieces), a learnt softmax mix of the layers, then a BiLSTM head;
- ``finetune``: e5 itself trained end to end with a linear head on each word's first piece.

The head's log-probabilities are added (weight 1 or 2) to the shipped held-out tagger's scores (CRF state
scores + the neural tagger) and decoded with the CRF's transitions, then names propagate ±15 sentences, exactly
as the shipped tagger decodes. Neither can ship under issue 6's speed bar (e5 runs ~2k tokens/s a core, the bar
is 20k): they measure the ceiling a distilled student could approach. Not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from khabar.eval.ner import evaluate
from khabar.extract.ner import MODEL_HELDOUT, WINDOW, NerModel, dev_split, propagate_window, read_conll

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "anercorp" / "train.txt"
MAX_PIECES = 200  # pieces per window (a longer sentence is cut into windows)


def windows(sentences, tokenizer, label_ids):
    """``(sentence, first word, ids, first-piece positions, word labels)`` windows of «passage: » + words."""
    prefix = tokenizer.content_ids("passage:")
    out = []
    for si, s in enumerate(sentences):
        pieces = [tokenizer.content_ids(word)[:8] or [tokenizer.unk] for word, _ in s]
        start = 0
        while start < len(pieces):
            ids, first, j = [tokenizer.bos, *prefix], [], start
            while j < len(pieces) and (len(ids) + len(pieces[j]) < MAX_PIECES or j == start):
                first.append(len(ids))
                ids += pieces[j][: MAX_PIECES - len(ids) - 1]
                j += 1
            ids.append(tokenizer.eos)
            out.append((si, start, ids, first, [label_ids[t] for _, t in s[start:j]]))
            start = j
    return out


def frozen_states(weights, items, n_words):
    """Per-word (13, 384) e5 states, mean over each word's pieces; float16, a list per sentence."""
    from khabar.vectors.e5 import forward_numpy

    feats = [np.zeros((n, 13, weights.hidden), np.float16) for n in n_words]
    order = sorted(range(len(items)), key=lambda i: len(items[i][2]))
    for k in range(0, len(order), 32):
        batch = [items[i] for i in order[k : k + 32]]
        width = max(len(it[2]) for it in batch)
        ids = np.zeros((len(batch), width), np.int64)
        lengths = np.array([len(it[2]) for it in batch])
        for r, it in enumerate(batch):
            ids[r, : lengths[r]] = it[2]
        layers: list[np.ndarray] = []

        def keep(layer: int, linear: str, x: np.ndarray, layers=layers) -> None:
            if linear == "qkv":  # layer k's input: the embedding (k = 0) or layer k - 1's output
                layers.append(x)

        last = forward_numpy(weights, ids, lengths, observe=keep, pool=False)
        states = np.stack([x.reshape(last.shape) for x in layers] + [last], axis=2)  # (B, L, 13, H)
        for r, (si, start, _, first, _labels) in enumerate(batch):
            ends = [*first[1:], lengths[r] - 1]
            for j, (a, b) in enumerate(zip(first, ends, strict=True)):
                feats[si][start + j] = states[r, a:b].mean(axis=0)
    return feats


def report(model: NerModel, dev, base, head_lp, tag: str) -> None:
    """Dev micro F1 of the shipped tagger, the e5 model alone and the two added (weights 1, 2)."""
    tokens = [[w for w, _ in s] for s in dev]
    gold = [[t for _, t in s] for s in dev]
    row = []
    for name, combine in (("shipped", lambda b, h: b), ("e5 alone", lambda b, h: h),
                          ("shipped + e5", lambda b, h: b + h), ("shipped + 2 e5", lambda b, h: b + 2 * h)):
        tags = [model.decode(combine(b, h)) for b, h in zip(base, head_lp, strict=True)]
        propagate_window(tokens, tags, WINDOW)
        row.append(f"{name} {evaluate(gold, tags)['micro']['f1']:.4f}")
    print(tag, " | ".join(row), flush=True)


def train_frozen(feats, items_train, items_dev, n_labels, epochs: int, report_at):
    """A layer mix + BiLSTM head on frozen e5 states (``feats``: training block's, dev block's); calls
    ``report_at(epoch, log_probs_by_window)`` every 5 epochs."""
    import torch
    from torch import nn

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.mix = nn.Parameter(torch.zeros(13))
            self.inp = nn.Linear(384, 128)
            self.lstm = nn.LSTM(128, 64, batch_first=True, bidirectional=True)
            self.out = nn.Linear(128, n_labels)
            self.drop = nn.Dropout(0.3)

        def forward(self, x):
            x = (x * torch.softmax(self.mix, 0)[None, None, :, None]).sum(2)
            h = torch.relu(self.inp(self.drop(x)))
            return self.out(self.drop(h + self.lstm(self.drop(h))[0]))

    def batch(items, feats):
        n = max(len(it[4]) for it in items)
        x = np.zeros((len(items), n, 13, 384), np.float32)
        y = np.full((len(items), n), -1, np.int64)
        for r, (si, start, _, _, labels) in enumerate(items):
            x[r, : len(labels)] = feats[si][start : start + len(labels)]
            y[r, : len(labels)] = labels
        return torch.from_numpy(x), torch.from_numpy(y)

    head = Head()
    opt = torch.optim.Adam(head.parameters(), lr=2e-3)
    rng = np.random.default_rng(0)
    order = np.arange(len(items_train))
    for epoch in range(epochs):
        head.train()
        rng.shuffle(order)
        for k in range(0, len(order), 32):
            x, y = batch([items_train[i] for i in order[k : k + 32]], feats[0])
            logits = head(x)
            loss = nn.functional.cross_entropy(logits.reshape(-1, n_labels), y.reshape(-1), ignore_index=-1)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if (epoch + 1) % 5 == 0 or epoch + 1 == epochs:
            head.eval()
            with torch.no_grad():
                lps = []
                for k in range(0, len(items_dev), 64):
                    its = items_dev[k : k + 64]
                    lp = torch.log_softmax(head(batch(its, feats[1])[0]), -1).numpy()
                    lps += [lp[r, : len(it[4])] for r, it in enumerate(its)]
            report_at(epoch + 1, lps)
    print("layer mix:", np.round(torch.softmax(head.mix, 0).detach().numpy(), 3))


def train_finetune(weights, items_train, items_dev, n_labels, epochs: int, report_at):
    """e5 fine-tuned end to end (word table frozen), a linear head on first pieces; reports after each epoch."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from khabar.vectors.e5 import INPUT_FIELDS, torch_encode
    from khabar.vectors.e5_weights import Layer

    used = sorted({i for it in items_train + items_dev for i in it[2]})
    remap = np.zeros(max(used) + 1, np.int64)
    remap[used] = np.arange(len(used))
    w = weights

    def params(obj, names):
        return nn.ParameterDict({k: nn.Parameter(torch.from_numpy(np.ascontiguousarray(getattr(obj, k))).float())
                                 for k in names})

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding.from_pretrained(torch.from_numpy(w.embed_tokens(np.array(used))), freeze=True)
            self.inputs = params(w, INPUT_FIELDS)
            self.layers = nn.ModuleList(params(ly, Layer.__dataclass_fields__) for ly in w.layers)
            self.head = nn.Linear(w.hidden, n_labels)
            self.drop = nn.Dropout(0.1)

        def forward(self, ids, lengths):
            valid = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
            x = torch_encode(w, self.emb(ids), valid, self.inputs, self.layers, self.drop)
            return self.head(self.drop(x))

    def batch(items):
        width = max(len(it[2]) for it in items)
        ids = np.zeros((len(items), width), np.int64)
        y = np.full((len(items), width), -1, np.int64)
        for r, it in enumerate(items):
            ids[r, : len(it[2])] = remap[it[2]]
            y[r, it[3]] = it[4]
        return torch.from_numpy(ids), torch.tensor([len(it[2]) for it in items]), torch.from_numpy(y)

    net = Encoder()
    body = [p for n, p in net.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": body, "lr": 1e-4}, {"params": net.head.parameters(), "lr": 1e-3}],
                            weight_decay=0.01)
    order = sorted(range(len(items_train)), key=lambda i: len(items_train[i][2]))
    batches = [order[k : k + 16] for k in range(0, len(order), 16)]
    steps = epochs * len(batches)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / steps))
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        net.train()
        rng.shuffle(batches)
        for b in batches:
            ids, lengths, y = batch([items_train[i] for i in b])
            loss = F.cross_entropy(net(ids, lengths).reshape(-1, n_labels), y.reshape(-1), ignore_index=-1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body, 1.0)
            opt.step()
            sched.step()
        net.eval()
        lps = []
        with torch.no_grad():
            for k in range(0, len(items_dev), 32):
                its = items_dev[k : k + 32]
                ids, lengths, _ = batch(its)
                lp = torch.log_softmax(net(ids, lengths), -1).numpy()
                lps += [lp[r, it[3]] for r, it in enumerate(its)]
        report_at(epoch + 1, lps)


def main() -> int:
    import torch

    from khabar.vectors.e5_weights import load_weights

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("frozen", "finetune"))
    parser.add_argument("--epochs", type=int, default=0, help="default: 20 frozen, 3 fine-tuned")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    train, dev = dev_split(read_conll(args.data))
    model = NerModel.load(MODEL_HELDOUT)
    label_ids = {lab: i for i, lab in enumerate(model.labels)}
    weights = load_weights(None)
    items_train = windows(train, weights.tokenizer, label_ids)
    items_dev = windows(dev, weights.tokenizer, label_ids)
    base = [model.label_scores([w for w, _ in s]) for s in dev]

    def report_at(epoch: int, window_lps) -> None:
        by_sentence = [np.zeros((len(s), len(label_ids)), np.float32) for s in dev]
        for (si, start, _, _, labels), lp in zip(items_dev, window_lps, strict=True):
            by_sentence[si][start : start + len(labels)] = lp
        report(model, dev, base, by_sentence, f"{args.mode} epoch {epoch} ({time.perf_counter() - t0:.0f}s):")

    if args.mode == "frozen":
        feats_train = frozen_states(weights, items_train, [len(s) for s in train])
        feats_dev = frozen_states(weights, items_dev, [len(s) for s in dev])
        print(f"e5 states: {time.perf_counter() - t0:.0f}s", flush=True)
        train_frozen((feats_train, feats_dev), items_train, items_dev, len(label_ids), args.epochs or 20, report_at)
    else:
        train_finetune(weights, items_train, items_dev, len(label_ids), args.epochs or 3, report_at)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
