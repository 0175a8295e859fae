"""The HTML contact sheet: one self-contained page a person reads after a batch.

Rendered from the same data as the JSON report (report.build), so both say the same thing. The page
needs nothing from the network: thumbnails are small JPEGs embedded as data: URIs, the CSS and the few
lines of filter script are inline. Without script every asset is shown; statuses are words and
symbols as well as colours; a print stylesheet drops the filter bar and keeps cards whole.
"""
from __future__ import annotations

import base64
import functools
import html
import io
import os
from pathlib import Path

from PIL import Image, ImageDraw

from .report import STATUS_TEXT, STATUSES

THUMB = 240                 # long side of thumbnails, px
MAX_THUMB_PIXELS = 100_000_000  # never decode anything bigger just for a thumbnail
SYMBOL = {"failed": "✕", "needs-review": "!", "fixed": "✓", "ready": "✓", "up-to-date": "=", "planned": "…"}
CROP_COLOUR = (255, 196, 0)
SAFE_COLOURS = [(0, 200, 255), (255, 80, 200), (120, 255, 120), (255, 255, 255)]

e = html.escape


# --------------------------------------------------------------------------------- thumbnails


def _data_uri(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=80, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _thumbnail(path: str, orientation: int | None = None) -> Image.Image | None:
    """A small upright RGB copy of a picture file, or None when it cannot be read."""
    from .image.load import decode, preview
    from .media import MediaInfo, open_image

    try:
        im = open_image(path)
    except Exception:
        return None
    try:
        if im.width * im.height > MAX_THUMB_PIXELS:
            return None
        if orientation is None:
            try:
                orientation = im.getexif().get(0x0112, 1)
            except Exception:
                orientation = 1
        orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
        info = MediaInfo(path=str(path), kind="image", format=im.format or "", bytes=0)
        decoded, _, _ = decode(im, info, max(im.size) / (2 * THUMB))
        return preview(decoded, orientation, THUMB)
    except Exception:
        return None
    finally:
        im.close()


def source_thumbnail(result: dict) -> Image.Image | None:
    """The source picture, small and upright (EXIF orientation applied), or None."""
    info = result.get("info") or {}
    if result.get("kind") != "image" or not info.get("width") or not info.get("height"):
        return None
    return _thumbnail(result["source"], info.get("orientation"))


def with_crop(thumb: Image.Image, info: dict, crop) -> Image.Image:
    """``thumb`` with the plan's crop box (upright source pixels) outlined and what is cut dimmed."""
    if not crop or len(crop) != 4 or crop[2] <= crop[0] or crop[3] <= crop[1]:
        return thumb
    sx, sy = thumb.width / info["width"], thumb.height / info["height"]
    b = tuple(round(c * s) for c, s in zip(crop, (sx, sy, sx, sy)))
    img = thumb.convert("RGBA")
    shade = Image.new("RGBA", img.size, (0, 0, 0, 120))
    ImageDraw.Draw(shade).rectangle(b, fill=(0, 0, 0, 0))
    img = Image.alpha_composite(img, shade)
    d = ImageDraw.Draw(img)
    box = (b[0], b[1], max(b[0], b[2] - 1), max(b[1], b[3] - 1))
    d.rectangle(box, outline=(0, 0, 0), width=3)
    d.rectangle(box, outline=CROP_COLOUR, width=1)
    return img.convert("RGB")


def output_thumbnail(output: dict, slot) -> Image.Image | None:
    """The prepared file, with the slot's safe areas (channel art) or circle mask (profiles) drawn on it."""
    path = output.get("output")
    if not path or output.get("status") not in ("ready", "fixed", "needs-review", "up-to-date") or not os.path.exists(path):
        return None
    img = _thumbnail(path)
    if img is None or slot is None:
        return img
    size = output.get("size") or (output.get("plan") or {}).get("out_size")
    if not size or not size[0]:
        with Image.open(path) as im:
            size = im.size
    sx, sy = img.width / size[0], img.height / size[1]
    d = ImageDraw.Draw(img)
    for i, a in enumerate(getattr(slot, "safe_areas", ()) or ()):
        l, t, r, b = a.box(*size)
        box = (round(l * sx), round(t * sy), round(r * sx) - 1, round(b * sy) - 1)
        d.rectangle(box, outline=SAFE_COLOURS[i % len(SAFE_COLOURS)], width=2 if a.always_visible else 1)
    if getattr(slot, "mask", None) == "circle":
        d.ellipse((0, 0, img.width - 1, img.height - 1), outline=(0, 0, 0), width=3)
        d.ellipse((0, 0, img.width - 1, img.height - 1), outline=(255, 255, 255), width=1)
    return img


# ------------------------------------------------------------------------------------ helpers


def _bytes(n) -> str:
    if n is None:
        return "–"
    for unit, k in (("MB", 1e6), ("KB", 1e3)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} B"


def _px(w, h) -> str:
    return f"{w}×{h} px" if w and h else "–"


def _badge(status: str) -> str:
    return (f'<span class="badge s-{e(status)}"><span aria-hidden="true">{SYMBOL.get(status, "")}</span> '
            f'{e(STATUS_TEXT.get(status, status))}</span>')


def _findings(findings: list[dict]) -> str:
    if not findings:
        return ""
    items = []
    for f in findings:
        sec = f'<span class="sec">Guideline: {e(f.get("section") or "")}</span>' if f.get("section") else ""
        fixed = " (fixed by assetkit)" if f.get("fixable") else ""
        items.append(f'<li class="sev-{e(str(f.get("severity")))}"><span class="sev">{e(str(f.get("severity")))}</span> '
                     f'<code>{e(str(f.get("code")))}</code>{e(fixed)}: {e(str(f.get("message")))} {sec}</li>')
    return f'<ul class="findings">{"".join(items)}</ul>'


def _link(path: str | None, base: Path) -> str:
    if not path:
        return "–"
    try:
        href = Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        href = Path(path).resolve().as_uri()
    return f'<a href="{e(href)}">{e(path)}</a>'


def _first(d: dict, *keys):
    for k in keys:
        if d.get(k) not in (None, "", [], {}):
            return d[k]
    return None


def _video_facts(result: dict, output: dict | None = None) -> list[tuple[str, str]]:
    """Duration, display size, poster: whatever the video stage put in info/extra (defensive)."""
    facts = []
    for d in (result.get("info") or {}, (output or {}).get("extra") or {}):
        dur = _first(d, "duration", "duration_s", "seconds_long")
        if isinstance(dur, (int, float)):
            facts.append(("Duration", f"{dur:.1f} s"))
        disp = _first(d, "display_size", "display")
        if isinstance(disp, (list, tuple)) and len(disp) == 2:
            facts.append(("Display size", _px(*disp)))
        elif d.get("display_width") and d.get("display_height"):
            facts.append(("Display size", _px(d["display_width"], d["display_height"])))
        poster = _first(d, "poster", "poster_path")
        if isinstance(poster, str):
            facts.append(("Poster", poster))
    return facts


# --------------------------------------------------------------------------------------- page


CSS = """
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;
--failed:#b3261e;--needs-review:#8a5a00;--fixed:#1f6f3f;--ready:#1f6f3f;--up-to-date:#2b5d8a;--planned:#5b4a9e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header.top,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header.top{padding-top:16px}
h1{font-size:1.5rem;margin:.2em 0}
h2{font-size:1.2rem;margin:1.2em 0 .4em}
h3{font-size:1.05rem;margin:0;word-break:break-all}
h4{font-size:.95rem;margin:0 0 .3em}
.meta{color:var(--muted);margin:0}
.counts{display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:.5em 0;list-style:none}
.counts li{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 10px}
.counts b{font-size:1.2rem;margin-right:4px}
table{border-collapse:collapse;background:var(--card);font-size:.9rem;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
.tablewrap{overflow-x:auto}
.needs{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--failed);border-radius:8px;padding:8px 12px 8px 32px}
.needs li{margin:.3em 0;word-break:break-word}
.filter{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0;align-items:center}
.filter button{font:inherit;padding:4px 10px;border-radius:16px;border:1px solid var(--line);background:var(--card);cursor:pointer}
.filter button[aria-pressed=true]{background:var(--ink);color:#fff;border-color:var(--ink)}
.no-js .filter{display:none}
.badge{display:inline-block;font-weight:600;border-radius:12px;padding:1px 9px;color:#fff;white-space:nowrap}
.s-failed{background:var(--failed)}.s-needs-review{background:var(--needs-review)}.s-fixed{background:var(--fixed)}
.s-ready{background:var(--ready)}.s-up-to-date{background:var(--up-to-date)}.s-planned{background:var(--planned)}
article.asset{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:14px 0;padding:12px;
display:grid;grid-template-columns:minmax(0,200px) minmax(0,1fr);gap:14px}
article.asset>header{grid-column:1/-1;display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between}
figure{margin:0}
figure img{display:block;max-width:100%;height:auto;border:1px solid var(--line);background:#eee}
figcaption{font-size:.85rem;color:var(--muted);margin-top:4px}
.nothumb{display:flex;align-items:center;justify-content:center;min-height:100px;border:1px dashed var(--line);color:var(--muted);font-size:.85rem;padding:8px;text-align:center}
.outputs{display:grid;gap:12px}
section.out{border-top:1px solid var(--line);padding-top:10px;display:grid;grid-template-columns:minmax(0,392px) minmax(0,1fr);gap:12px}
.figs{display:flex;gap:8px;align-items:flex-start}.figs figure{flex:1 1 0;min-width:0}
section.out:first-child{border-top:0;padding-top:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:.4em 0;font-size:.9rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-all}
ul.findings{margin:.4em 0;padding-left:18px;font-size:.9rem}
ul.findings li{margin:.25em 0}
.sev{font-weight:600;text-transform:uppercase;font-size:.75rem}
.sev-error .sev{color:var(--failed)}.sev-warning .sev{color:var(--needs-review)}.sev-info .sev{color:var(--muted)}
.sec{display:block;color:var(--muted);font-size:.8rem}
.reason{margin:.3em 0;font-size:.9rem}
.legend{font-size:.85rem;color:var(--muted)}
.hidden{display:none!important}
a{color:#0550ae}
footer{color:var(--muted);font-size:.8rem;padding-bottom:24px}
@media (max-width:900px){article.asset,section.out{grid-template-columns:1fr}.source figure img{max-width:200px}}
@media print{body{background:#fff;font-size:11pt}.filter{display:none}.hidden{display:block!important}
article.asset,section.out,.needs li{break-inside:avoid}article.asset{border-color:#999}
.badge{color:#000;border:1px solid #000;background:#fff!important}a{color:#000;text-decoration:none}}
"""

JS = """
document.documentElement.classList.remove('no-js');
(function(){
  var buttons=document.querySelectorAll('.filter button');
  function show(s){
    buttons.forEach(function(b){b.setAttribute('aria-pressed',String(b.dataset.filter===s));});
    document.querySelectorAll('section.out').forEach(function(o){
      o.classList.toggle('hidden', s!=='all' && o.dataset.status!==s);});
    document.querySelectorAll('article.asset').forEach(function(a){
      a.classList.toggle('hidden', s!=='all' && a.dataset.statuses.split(' ').indexOf(s)<0);});
    var n=document.querySelectorAll('article.asset:not(.hidden)').length;
    document.getElementById('shown').textContent=n+' shown';
  }
  buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.filter);});});
})();
"""


def render_html(data: dict, path: str | os.PathLike | None = None) -> str:
    """The contact sheet for report ``data`` (report.build). ``path``: where the page will be written,
    so links to outputs are relative to it."""
    top, bottom = page_parts(data, path)
    return top + "".join(card(r, path) for r in data.get("results") or []) + bottom


def card(r: dict, path: str | os.PathLike | None = None) -> str:
    """One file's card (an annotated result), on its own so a report can be streamed card by card."""
    return _asset(r, _presets(), Path(path).parent if path else Path.cwd())


def page_parts(data: dict, path: str | os.PathLike | None = None) -> tuple[str, str]:
    """The page before and after the cards: header, summary, what needs a person; footer and script."""
    summary = data.get("summary") or {}
    by_status = summary.get("by_status") or {}
    counts = "".join(f'<li>{_badge(s)} <b>{by_status.get(s, 0)}</b></li>' for s in STATUSES if by_status.get(s))
    slot_rows = "".join(
        f'<tr><th scope="row">{e(sid)}</th>' + "".join(f"<td>{c.get(s, 0) or ''}</td>" for s in STATUSES) + "</tr>"
        for sid, c in (summary.get("by_slot") or {}).items())
    slot_table = (f'<div class="tablewrap"><table><caption class="legend">Outputs by slot and status</caption>'
                  f'<thead><tr><th scope="col">Slot</th>'
                  + "".join(f'<th scope="col">{e(STATUS_TEXT[s])}</th>' for s in STATUSES)
                  + f"</tr></thead><tbody>{slot_rows}</tbody></table></div>") if slot_rows else ""
    needs = summary.get("needs_person") or []
    if needs:
        items = "".join(
            f'<li>{_badge(n["status"])} <a href="#{_anchor(n["source"])}">{e(n["source"])}</a>'
            f'{" — " + e(n["slot"]) if n.get("slot") else ""}: {e(n["reason"])}</li>' for n in needs)
        needs_html = f'<ol class="needs">{items}</ol>'
    else:
        needs_html = '<p>Nothing: every file is ready, fixed or up to date.</p>'
    present = [s for s in STATUSES if by_status.get(s)]
    buttons = "".join(f'<button type="button" data-filter="{s}" aria-pressed="false">{e(STATUS_TEXT[s])} '
                      f'({by_status[s]})</button>' for s in present)
    interrupted = '<p class="meta"><strong>Interrupted:</strong> not every file was done.</p>' if data.get("interrupted") else ""
    top = f"""<!DOCTYPE html>
<html lang="en" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>assetkit report — {summary.get("assets", 0)} files</title>
<style>{CSS}</style>
</head>
<body>
<header class="top">
<h1>assetkit report</h1>
<p class="meta">{summary.get("assets", 0)} files, {summary.get("outputs", 0)} outputs in {float(data.get("seconds") or 0):.1f} s
· {e(str(data.get("created", "")))} · assetkit {e(str(data.get("assetkit", "")))}{" · outputs in " + e(data["out_dir"]) if data.get("out_dir") else ""}</p>
{interrupted}
</header>
<main>
<section aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
<ul class="counts">{counts}</ul>
{slot_table}
</section>
<section aria-labelledby="h-needs">
<h2 id="h-needs">Needs a person ({len(needs)})</h2>
{needs_html}
</section>
<section aria-labelledby="h-assets">
<h2 id="h-assets">Files</h2>
<div class="filter" role="group" aria-label="Show only">
<span>Show:</span><button type="button" data-filter="all" aria-pressed="true">All</button>{buttons}
<span id="shown" class="legend" aria-live="polite"></span>
</div>
<p class="legend">"Crop on the original" outlines in yellow what each slot keeps (the part that is cut is dimmed).
Results show the slot's safe areas (coloured outlines) or the circle a profile picture is shown in.</p>
"""
    bottom = f"""</section>
</main>
<footer><p>Made by assetkit {e(str(data.get("assetkit", "")))} (report schema {e(str(data.get("schema_version", "")))}).
This page is self-contained: it loads nothing from the network.</p></footer>
<script>{JS}</script>
</body>
</html>
"""
    return top, bottom


@functools.lru_cache(maxsize=1)
def _presets():
    try:
        from .presets import load_presets

        return load_presets()
    except Exception:  # a broken user preset folder must not cost the report
        return None


def _slot(lib, slot_id: str):
    try:
        return lib.get(slot_id) if lib else None
    except Exception:
        return None


def _anchor(source: str) -> str:
    import hashlib

    return "a-" + hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _rights_facts(info: dict, r: dict) -> list[tuple[str, str]]:
    """Credit and consent state in words (COPYRIGHT, SECURITY AND PRIVACY)."""
    credit = info.get("credit") or {}
    if credit.get("line"):
        origin = {"flag": "--credit", "manifest": "the manifest", "metadata": "the file's metadata"}.get(
            credit.get("from"), credit.get("from") or "")
        text = f"{credit['line']} (from {origin})" if origin else credit["line"]
    elif info.get("artist") or info.get("copyright"):
        text = " / ".join(str(x) for x in (info.get("artist"), info.get("copyright")) if x)
    else:
        text = "none recorded"
    if credit.get("source"):
        text += f"; source: {credit['source']}"
    facts = [("Credit", text)]
    codes = {f.get("code") for f in r.get("findings", [])} | {
        f.get("code") for o in r.get("outputs", []) for f in o.get("findings", [])}
    consent = info.get("consent")
    faces = info.get("faces")
    if consent:
        state = f"{consent} (manifest)"
    elif "consent-missing" in codes:
        state = "not recorded, and a face is visible"
    else:
        state = "not recorded" if faces is None else ("not needed: no face found" if not faces else "not recorded")
    if "faces-blurred" in codes:
        state += "; faces blurred"
    facts.append(("Consent", state))
    return facts


def _asset(r: dict, lib, base: Path) -> str:
    source = r.get("source", "")
    name = Path(source).name
    info = r.get("info") or {}
    outputs = r.get("outputs") or []
    statuses = " ".join(dict.fromkeys(o.get("report_status", "failed") for o in outputs)) or "failed"
    thumb = source_thumbnail(r)
    if thumb is not None:
        src_fig = f'<img src="{_data_uri(thumb)}" width="{thumb.width}" height="{thumb.height}" alt="{e(f"Original {name}")}">'
    else:
        src_fig = f'<div class="nothumb">No preview: {e("video" if r.get("kind") == "video" else "the file could not be read as a picture")}</div>'
    facts = [("Size", _px(info.get("width"), info.get("height"))), ("Bytes", _bytes(info.get("bytes"))),
             ("Format", str(info.get("format") or r.get("kind") or "–"))]
    facts += _rights_facts(info, r)
    if r.get("kind") == "video":
        facts += _video_facts(r)
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in facts)
    outs = "".join(_output(r, o, lib, base, thumb) for o in outputs)
    if not outputs:
        outs = f'<p class="reason">{_badge("failed")} {e(r.get("reason", ""))}</p>'
    return f"""<article class="asset" id="{_anchor(source)}" data-statuses="{e(statuses)}" aria-labelledby="{_anchor(source)}-h">
<header><h3 id="{_anchor(source)}-h">{e(source)}</h3>{_badge(r.get("report_status", "failed"))}</header>
<div class="source">
<figure>{src_fig}<figcaption>Original</figcaption></figure>
<dl class="facts">{dl}</dl>
{_findings(r.get("findings") or [])}
</div>
<div class="outputs">{outs}</div>
</article>
"""


def _output(r: dict, o: dict, lib, base: Path, src_thumb: Image.Image | None) -> str:
    slot_id = o.get("slot", "")
    plan = o.get("plan") or {}
    info = r.get("info") or {}
    crop_fig = ""
    if src_thumb is not None and plan.get("crop"):
        c = plan["crop"]
        img = with_crop(src_thumb, info, c)
        alt = (f"Crop for {slot_id} on the original: box from {c[0]},{c[1]} to {c[2]},{c[3]} "
               f"(keeps {100 * (plan.get('kept') or 0):.0f}% of the picture)")
        crop_fig = (f'<figure><img src="{_data_uri(img)}" width="{img.width}" height="{img.height}" alt="{e(alt)}">'
                    f'<figcaption>Crop on the original</figcaption></figure>')
    slot = _slot(lib, slot_id)
    status = o.get("report_status", "failed")
    thumb = output_thumbnail(o, slot)
    overlay = []
    if slot is not None and getattr(slot, "safe_areas", ()):
        overlay.append("safe areas " + ", ".join(f"{a.name} {a.width}×{a.height}" for a in slot.safe_areas))
    if slot is not None and getattr(slot, "mask", None) == "circle":
        overlay.append("circle mask")
    if thumb is not None:
        alt = f"Result for {slot_id}" + (f" with {'; '.join(overlay)} outlined" if overlay else "")
        fig = (f'<figure><img src="{_data_uri(thumb)}" width="{thumb.width}" height="{thumb.height}" alt="{e(alt)}">'
               f'<figcaption>Result{" · " + e("; ".join(overlay)) if overlay else ""}</figcaption></figure>')
    else:
        why = {"failed": "no output", "planned": "nothing written (dry run or check)"}.get(status, "no preview")
        fig = f'<div class="nothumb">{e(why)}</div>'
    size = o.get("size") or (plan.get("out_size") if plan.get("out_size") and plan["out_size"][0] else None)
    facts = [("Pixels", f'{_px(info.get("width"), info.get("height"))} → {_px(*size) if size else "–"}'),
             ("Bytes", f'{_bytes(info.get("bytes"))} → {_bytes(o.get("bytes"))}')]
    if plan.get("crop") and plan.get("kept") is not None and plan.get("kept") > 0:
        facts.append(("Crop", f'{plan.get("variant", "")}, keeps {100 * plan["kept"]:.0f}%, {plan.get("crop_detail") or plan.get("crop_reason", "")}'))
    if r.get("kind") == "video":
        facts += _video_facts({}, o)
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(str(v))}</dd>" for k, v in facts)
    return f"""<section class="out" data-status="{e(status)}" aria-label="{e(slot_id)}: {e(STATUS_TEXT.get(status, status))}">
<div class="figs">{crop_fig}{fig}</div>
<div>
<h4>{e(slot_id)} {_badge(status)}</h4>
<p class="reason">{e(o.get("reason", ""))}</p>
<dl class="facts">{dl}<dt>File</dt><dd>{_link(o.get("output"), base)}</dd></dl>
{_findings(o.get("findings") or [])}
</div>
</section>
"""
