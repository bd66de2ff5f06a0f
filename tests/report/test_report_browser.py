"""The report as a browser shows it (ctest analysis.browser): a results directory of synthetic
runs -- four configurations, variant names with [ ] = , characters, repeats, two machines --
is written with `python3 -m analysis report`, opened from disk (file://) in headless Chromium,
and checked: every image loads (naturalWidth > 0) undistorted, nothing is wider than the
window, the first screen shows the winners table, and every name reads as written."""
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "analysis"))

from analysis.__main__ import main  # noqa: E402
from analysis.decode import chunk_per_hart, decode, write_trace  # noqa: E402
from analysis.metrics import compute_metrics, write_metrics  # noqa: E402
from synthetic import (arrival, done, due, end_at, marker, name_records, request,  # noqa: E402
                       switch, wakeup)

from .browser import Browser  # noqa: E402

VARIANTS = ("rr", "rr[timeslice_us=2000,a=b]", "mlfq[levels=4]", "tstune")
WIDTH, HEIGHT = 1400, 1000


def records(shift, harts):
    """Two threads per hart, each serving requests; `shift` makes configurations differ."""
    made = [marker(0, 1, "TRACE_MARK_WORKLOAD_BEGIN", 0)]
    for hart in range(harts):
        a, b = 2 + 2 * hart, 3 + 2 * hart
        made += [*name_records(0, a, f"server{hart}", hart),
                 *name_records(0, b, f"batch{hart}", hart),
                 arrival(1, a, 1, hart), arrival(1, b, 1, hart),
                 switch(10, hart, 0, b, "TRACE_SWITCH_FROM_IDLE")]
        time = 10
        for number in range(30):
            time += 1000
            made += [wakeup(time, hart, a), due(time, a, 0, hart),
                     switch(time + 100 + shift, hart, b, a, "TRACE_SWITCH_PREEMPTED"),
                     *request(time + 110 + shift, time + 400 + shift, a, number, hart),
                     switch(time + 420 + shift, hart, a, b, "TRACE_SWITCH_BLOCK")]
        made += [done(time + 500, a, hart), done(time + 600, b, hart)]
    return made + [marker(40_000, 1, "TRACE_MARK_WORKLOAD_END", 0),
                   *[end_at(40_000, hart) for hart in range(harts)]]


def make_results(root):
    for index, variant in enumerate(VARIANTS):
        for engine, harts in (("qemu", 1), ("sim", 4)):
            config = f"{variant}-{harts}h" + ("-sim" if engine == "sim" else "")
            for repeat in range(2):
                run = root / f"run{index}-{engine}" / "mixed" / f"rep{repeat}"
                run.mkdir(parents=True)
                write_trace(run / "trace.bin", chunk_per_hart(
                    records(50 * index + 7 * repeat, harts)), nharts=harts,
                    clock=2 if engine == "sim" else 0)
                (run / "run.json").write_text(json.dumps({
                    "scheduler": variant.split("[")[0], "config": config, "workload": "mixed",
                    "cpus": harts, "seed": 1 + repeat, "repeat": repeat, "engine": engine,
                    "clock": "simulated" if engine == "sim" else "icount", "ok": True,
                    "state": "ok", "timing_model": "parallel-sim" if engine == "sim"
                    else "exact"}))
                write_metrics(compute_metrics(decode(run / "trace.bin"), variant),
                              run / "metrics.json")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-report")
    make_results(root)
    assert main(["report", str(root)]) == 0
    return root / "report" / "index.html"


@pytest.fixture(scope="module")
def page(report):
    with Browser(WIDTH, HEIGHT) as browser:
        browser.open(report.as_uri())
        yield browser


def test_every_image_loads_from_disk_undistorted(page, report):
    images = page.run("return Array.from(document.images).map(i => [i.getAttribute('src'), "
                      "i.complete, i.naturalWidth, i.naturalHeight, "
                      "i.getBoundingClientRect().width, i.getBoundingClientRect().height])")
    assert len(images) == report.read_text().count("<img ") > 10
    for src, complete, width, height, shown_width, shown_height in images:
        assert complete and width > 0 and height > 0, src
        assert (report.parent / src).is_file(), src
        assert shown_width > 200, src                       # a grid cell, not a thumbnail
        assert shown_width / shown_height == pytest.approx(width / height, rel=0.02), src


def test_nothing_is_cut_off_or_wider_than_the_window(page):
    assert page.run("return document.documentElement.scrollWidth") <= \
        page.run("return document.documentElement.clientWidth")
    right = page.run("return Math.max(...Array.from(document.querySelectorAll("
                     "'img, table.winners, table.key, h1, h2, h3, p')).map("
                     "e => e.getBoundingClientRect().right))")
    assert right <= page.run("return document.documentElement.clientWidth")
    # the answers' tables fit their boxes: no scrolling needed to read them
    clipped = page.run("return Array.from(document.querySelectorAll('.scroll')).filter("
                       "d => d.querySelector('table.winners, table.key') && "
                       "d.scrollWidth > d.clientWidth).length")
    assert clipped == 0
    # plots side by side: a grid, not one column
    columns = page.run("return new Set(Array.from(document.querySelectorAll('.plots img'))"
                       ".map(i => Math.round(i.getBoundingClientRect().left))).size")
    assert columns >= 2


def test_the_first_screen_says_who_wins_and_names_read_as_written(page):
    top = page.run("return document.querySelector('table.winners').getBoundingClientRect()"
                   ".bottom")
    assert top <= HEIGHT                    # the winners table on the first screen
    text = page.run("return document.querySelector('table.winners').innerText")
    assert "mixed" in text and "QEMU 1h" in text and "sim 4h" in text
    body = page.run("return document.body.innerText")
    for variant in VARIANTS:
        assert variant in body
    # the full table is there, collapsed
    assert page.run("return document.querySelector('details').open") is False
