"""The self-contained HTML rating form: one file, no server, no network; every text shown is escaped.

Audio plays from relative links (or data URIs); ratings are kept in the browser's localStorage while
rating and saved as a CSV (``rater,blinded_id,<criteria>``) through a Blob download.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from adiff_bench.human.sample import Unit
from adiff_bench.human.study import Study

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}
section.item{border:1px solid #bbb;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
fieldset.unit{border:1px solid #ddd;margin:.75rem 0}
blockquote.explanation{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;margin:.25rem 0}
.criterion{margin:.5rem 0}.choices label{display:block;margin-left:1rem}
.missing{color:#a00}#bar{position:sticky;bottom:0;background:#fff;padding:.5rem 0;border-top:1px solid #ccc}
table.anchors td{vertical-align:top;padding:2px 6px}
"""

_SCRIPT = """
(function(){
  var CRITERIA = %(criteria)s, KEY = %(storage_key)s;
  var units = Array.prototype.slice.call(document.querySelectorAll('fieldset.unit'));
  var rater = document.getElementById('rater'), progress = document.getElementById('progress');
  function load(){ try { return JSON.parse(localStorage.getItem(KEY) || '{}'); } catch (e) { return {}; } }
  function store(){
    var state = {rater: rater.value, values: {}};
    document.querySelectorAll('input[type=radio]:checked').forEach(function(r){ state.values[r.name] = r.value; });
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) {}
    update();
  }
  function update(){
    var done = 0, total = units.length * CRITERIA.length;
    units.forEach(function(u){ CRITERIA.forEach(function(c){
      if (u.querySelector('input[name="' + u.dataset.id + '|' + c + '"]:checked')) done++; }); });
    progress.textContent = done + ' of ' + total + ' ratings given';
  }
  function field(v){ v = String(v); return /[",\\n\\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; }
  function save(){
    var who = rater.value.trim();
    if (!who) { alert('Enter your rater id first.'); rater.focus(); return; }
    var lines = [['rater', 'blinded_id'].concat(CRITERIA).join(',')], empty = 0;
    units.forEach(function(u){
      var row = [field(who), u.dataset.id];
      CRITERIA.forEach(function(c){
        var r = u.querySelector('input[name="' + u.dataset.id + '|' + c + '"]:checked');
        if (!r) empty++;
        row.push(r ? r.value : '');
      });
      lines.push(row.join(','));
    });
    if (empty && !confirm(empty + ' ratings are still empty. Save anyway?')) return;
    var blob = new Blob([lines.join('\\n') + '\\n'], {type: 'text/csv'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'ratings_' + who.replace(/[^A-Za-z0-9_-]+/g, '_') + '.csv';
    document.body.appendChild(a); a.click(); document.body.removeChild(a);
  }
  var state = load();
  if (state.rater) rater.value = state.rater;
  Object.keys(state.values || {}).forEach(function(name){
    document.querySelectorAll('input[type=radio]').forEach(function(r){
      if (r.name === name && r.value === state.values[name]) r.checked = true; });
  });
  document.addEventListener('change', store);
  rater.addEventListener('input', store);
  document.getElementById('save').addEventListener('click', save);
  update();
})();
"""


def _script_json(value: object) -> str:
    """JSON that cannot close the script element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _anchor_table(study: Study) -> str:
    rows = []
    for criterion in study.criteria:
        cells = "".join(f"<td><b>{p}</b> {escape(text)}</td>" for p, text in criterion.anchors)
        rows.append(f"<tr><th>{escape(criterion.label)}</th>{cells}</tr>")
    return f'<table class="anchors">{"".join(rows)}</table>'


def _player(label: str, shown: str, src: str | None) -> str:
    if src is None:
        note = f" ({escape(shown)})" if shown else ""
        return f'<p class="missing">{label}: audio not available{note}</p>'
    return f'<p>{label}: <audio controls preload="none" src="{escape(src, quote=True)}"></audio></p>'


def _unit(unit: Unit, letter: str, study: Study, group_prompt: str) -> str:
    blocks = []
    for criterion in study.criteria:
        name = escape(f"{unit.blinded_id}|{criterion.name}", quote=True)
        choices = "".join(
            f'<label><input type="radio" name="{name}" value="{p}"> <b>{p}</b> {escape(text)}</label>'
            for p, text in criterion.anchors
        )
        blocks.append(
            f'<div class="criterion"><b>{escape(criterion.label)}</b> — {escape(criterion.question)}'
            f'<div class="choices">{choices}</div></div>'
        )
    bid = escape(unit.blinded_id, quote=True)
    # a run made with another prompt (e.g. an ablation) shows the question it was really asked
    own_prompt = "" if unit.prompt == group_prompt else f"<p><b>Question asked here:</b> {escape(unit.prompt)}</p>"
    return (
        f'<fieldset class="unit" data-id="{bid}"><legend>Explanation {letter} <small>({bid})</small></legend>'
        f"{own_prompt}"
        f'<blockquote class="explanation">{escape(unit.explanation)}</blockquote>{"".join(blocks)}</fieldset>'
    )


def render_form(study: Study, units: Sequence[Unit]) -> str:
    """HTML for the units, grouped by item in the order given (the sample's shuffled order)."""
    groups: list[list[Unit]] = []
    for unit in units:
        if groups and (groups[-1][0].task, groups[-1][0].item_id) == (unit.task, unit.item_id):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    sections = []
    for number, group in enumerate(groups, start=1):
        first = group[0]
        explanations = "".join(
            _unit(u, chr(ord("A") + i) if i < 26 else str(i + 1), study, first.prompt) for i, u in enumerate(group)
        )
        sections.append(
            f'<section class="item"><h2>Pair {number} of {len(groups)}</h2>'
            f"{_player('Clip 1', first.audio1, first.audio1_src)}{_player('Clip 2', first.audio2, first.audio2_src)}"
            f"<p><b>Question asked:</b> {escape(first.prompt)}</p>{explanations}</section>"
        )
    storage_key = f"adiff-human:{study.name}:{units[0].blinded_id if units else ''}:{len(units)}"
    script = _SCRIPT % {"criteria": _script_json(list(study.criterion_names)), "storage_key": _script_json(storage_key)}
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(study.name)}: rating form</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(study.name)}</h1><p>{escape(study.instructions)}</p>"
        f"<p>Scale {study.scale_min} (worst) to {study.scale_max} (best). Anchors:</p>{_anchor_table(study)}"
        f'<p><label>Your rater id: <input id="rater" autocomplete="off"></label></p>'
        f"{''.join(sections)}"
        '<div id="bar"><button id="save" type="button">Save ratings as CSV</button> <span id="progress"></span>'
        " <small>Your choices are kept in this browser until you save; send the saved CSV to the study lead.</small>"
        f"</div><script>{script}</script></body></html>\n"
    )
