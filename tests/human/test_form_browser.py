"""The form's own script, run in headless Chromium: what it saves is what the analyzer reads."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from adiff_bench.human.ratings import load_study_dir, read_ratings
from adiff_bench.human.sample import sample_runs
from adiff_bench.human.study import default_study

from .helpers import make_run

# Stand-ins for the browser's download machinery, so the saved CSV lands in the page instead of a file.
BEFORE = (
    "<script>window.__csv=null;window.Blob=function(p){window.__csv=p.join('');};"
    "URL.createObjectURL=function(){return '#';};"
    "HTMLAnchorElement.prototype.click=function(){window.__download=this.download;};"
    "window.confirm=function(){return true;};</script>"
)
AFTER = """<script>
document.getElementById('rater').value = 'ann, "the" rater';
document.querySelectorAll('input[type=radio]').forEach(function(r){ if (r.value === '4') r.checked = true; });
var first = document.querySelector('fieldset.unit');
first.querySelector('input[value="4"]').checked = false;
first.querySelector('input[value="1"]').checked = true;
first.querySelectorAll('input[value="4"]')[2].checked = false;
document.getElementById('save').click();
var out = document.createElement('pre'); out.id = 'out'; out.textContent = window.__csv + '#' + window.__download;
document.body.appendChild(out);
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip("no Chromium on this machine: the form's script is not exercised")


def test_form_saves_a_csv_the_analyzer_reads(tmp_path: Path) -> None:
    browser = _chromium()
    runs = [make_run(tmp_path, s, n_items=3, text="<b>bold?</b>") for s in ("sys-a", "sys-b")]
    sample_runs(runs, n=3, seed=0, out=tmp_path / "study", study=default_study())
    page = (tmp_path / "study" / "form.html").read_text(encoding="utf-8")
    page = page.replace("<body>", "<body>" + BEFORE, 1).replace("</body>", AFTER + "</body>")
    (tmp_path / "study" / "probe.html").write_text(page, encoding="utf-8")
    try:
        result = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
             "--dump-dom", (tmp_path / "study" / "probe.html").as_uri()],
            capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"{browser} did not finish in 90 s here: the form's script is not exercised")
    match = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    if match is None:
        pytest.skip(f"{browser} ran but printed no page (exit {result.returncode}): the form is not exercised")
    csv_text, download = html.unescape(match.group(1)).rsplit("#", 1)
    assert download == "ratings_ann_the_rater.csv"
    saved = tmp_path / "saved.csv"
    saved.write_text(csv_text, encoding="utf-8")
    study, key, _ = load_study_dir(tmp_path / "study")
    ratings = read_ratings([saved], study, key)
    assert ratings.raters == ('ann, "the" rater',)
    assert ratings.missing == {'ann, "the" rater': 1}  # the first unit's readability was left empty
    first = csv_text.splitlines()[1].split(",")[-4:]
    assert first[1:] == ["1", "4", ""]
    assert sorted(r.score for r in ratings.ratings).count(1) == 1 and len(ratings.ratings) == 6 * 3 - 1
