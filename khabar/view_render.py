"""Renderings of a StoryView: Markdown, a self-contained HTML page, and rich terminal output."""

from __future__ import annotations

import html
import json

from khabar.view import StoryView

RTL_LANGS = {"ar", "fa", "ur", "he", "ps", "ckb"}

_LABELS = {
    "en": {"timeline": "Timeline", "agreed": "Agreed by independent sources", "adds": "What each source adds",
           "disputes": "Disputed", "quotes": "Quotes", "summary": "Summary", "broke": "Broke it",
           "copy": "copy of", "details": "new details", "dateline": "dateline", "none": "none"},
    "ar": {"timeline": "التسلسل الزمني", "agreed": "ما تتفق عليه المصادر المستقلة", "adds": "ما يضيفه كل مصدر",
           "disputes": "نقاط الخلاف", "quotes": "الاقتباسات", "summary": "الملخص", "broke": "أول من نشر",
           "copy": "نسخة من", "details": "تفاصيل جديدة", "dateline": "سطر التاريخ", "none": "لا شيء"},
}


def labels(view: StoryView) -> dict[str, str]:
    return _LABELS["ar"] if view.lang in RTL_LANGS else _LABELS["en"]


def source_of(view: StoryView, article_id: str) -> str:
    for e in view.timeline:
        if e.id == article_id:
            return e.source or e.id
    return article_id


def to_json(view: StoryView) -> str:
    return json.dumps(view.to_dict(), ensure_ascii=False, indent=2)


def to_markdown(view: StoryView) -> str:
    """The view as Markdown (right-to-left text is left to the reader's renderer)."""
    L = labels(view)
    out = [f"# {view.headline}", ""]
    if view.summary:
        out += [f"## {L['summary']}", ""] + [f"- {s}" for s in view.summary] + [""]
    out += [f"## {L['timeline']}", ""]
    for e in view.timeline:
        line = f"- {e.published or '?'} — **{e.source or e.id}**"
        if e.agency and e.outlet:
            line += f" / {e.agency}"
        if e.title:
            line += f": {e.title}"
        if e.copy_of:
            line += f" ({L['copy']} {source_of(view, e.copy_of)})"
        if e.dateline:
            line += f" — {L['dateline']}: `{e.dateline['text']}`"
        out.append(line)
    if view.broke_it:
        out += ["", f"{L['broke']}: **{view.broke_it}**"]
    out += ["", f"## {L['agreed']}", ""]
    for f in view.agreed:
        out.append(f"- {f.text}")
        for aid, s in f.sentences.items():
            out.append(f"  - *{source_of(view, aid)}*: {s}")
    if not view.agreed:
        out.append(f"- {L['none']}")
    out += ["", f"## {L['adds']}", ""]
    for aid, items in view.adds.items():
        out.append(f"### {source_of(view, aid)}")
        for it in items:
            extra = f" ({L['details']}: {', '.join(it.details)})" if it.shared and it.details else ""
            out.append(f"- {it.text}{extra}")
        out.append("")
    out += [f"## {L['disputes']}", ""]
    for d in view.disputes:
        vals = "; ".join(f"{source_of(view, a)}: {v}" for a, v in d.values.items())
        out.append(f"- {d.slot}: {vals}")
    if not view.disputes:
        out.append(f"- {L['none']}")
    out += ["", f"## {L['quotes']}", ""]
    for q in view.quotes:
        out.append(f"- **{q['speaker']}** ({q['source']}): «{q['text']}»")
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:'Noto Naskh Arabic','Amiri','Segoe UI',Tahoma,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.7;color:#1d1d1f;background:#fafafa}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.src{font-weight:bold;color:#0b5394}.meta{color:#666;font-size:.9rem}
.fact,.add,.dispute,.quote{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0}
.detail{background:#fff3b0;border-radius:2px}
code{unicode-bidi:isolate;direction:rtl}
table{border-collapse:collapse}td{padding:.2rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
"""


def to_html(view: StoryView) -> str:
    """A self-contained HTML page (no external assets), right-to-left for Arabic, Persian and Urdu stories."""
    L = labels(view)
    rtl = view.lang in RTL_LANGS
    e = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="{e(view.lang or "und")}" dir="{"rtl" if rtl else "ltr"}"><head><meta charset="utf-8">',
        f"<title>{e(view.headline)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(view.headline)}</h1>",
    ]
    if view.summary:
        parts.append(f"<h2>{L['summary']}</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in view.summary) + "</ul>")
    parts.append(f"<h2>{L['timeline']}</h2><table>")
    for t in view.timeline:
        name = e(t.source or t.id)
        agency = f" / {e(t.agency)}" if t.agency and t.outlet else ""
        copy = f" <span class=meta>({L['copy']} {e(source_of(view, t.copy_of))})</span>" if t.copy_of else ""
        dl = f'<div class=meta>{L["dateline"]}: <bdi>{e(t.dateline["text"])}</bdi></div>' if t.dateline else ""
        link = f' <a href="{e(t.url)}">↗</a>' if t.url else ""
        parts.append(f"<tr><td class=meta><bdi>{e(t.published or '?')}</bdi></td><td><span class=src>{name}</span>"
                     f"{agency}{copy}{link}<div>{e(t.title or '')}</div>{dl}</td></tr>")
    parts.append("</table>")
    if view.broke_it:
        parts.append(f"<p>{L['broke']}: <span class=src>{e(view.broke_it)}</span></p>")
    parts.append(f"<h2>{L['agreed']}</h2>")
    for f in view.agreed:
        srcs = "، ".join(e(source_of(view, a)) for a in f.sentences) if rtl else ", ".join(
            e(source_of(view, a)) for a in f.sentences)
        parts.append(f"<div class=fact>{e(f.text)}<div class=meta>{srcs}</div></div>")
    parts.append(f"<h2>{L['adds']}</h2>")
    for aid, items in view.adds.items():
        parts.append(f"<h3 class=src>{e(source_of(view, aid))}</h3>")
        for it in items:
            text = e(it.text)
            for d in it.details:
                if d and d in it.text:
                    text = text.replace(e(d), f"<span class=detail>{e(d)}</span>")
            parts.append(f"<div class=add>{text}</div>")
    parts.append(f"<h2>{L['disputes']}</h2>")
    for d in view.disputes:
        vals = "<br>".join(f"<span class=src>{e(source_of(view, a))}</span>: <bdi>{e(v)}</bdi> — {e(d.sentences[a])}"
                           for a, v in d.values.items())
        parts.append(f"<div class=dispute><b>{e(d.slot)}</b><br>{vals}</div>")
    if not view.disputes:
        parts.append(f"<p class=meta>{L['none']}</p>")
    parts.append(f"<h2>{L['quotes']}</h2>")
    for q in view.quotes:
        parts.append(f"<div class=quote><b>{e(q['speaker'])}</b> <span class=meta>({e(q['source'])})</span>: "
                     f"«{e(q['text'])}»</div>")
    parts.append("</body></html>")
    return "\n".join(parts)
