"""The cache-warmth model (DESIGN §4.3): off by default; on, a thread switched in where its
working set is cold pays the modelled refill, traced and charged to it."""
import json

from harness import run

CACHE_ON = {"SCHEDLAB_CACHE_MODEL": "ON"}


def refills(out):
    metrics = json.loads((out / "metrics.json").read_text())
    return metrics["switch_cost"]["cache_refill_ns"]


def test_refills_are_paid_only_with_the_model_on(tmp_path):
    off = run("working-set", tmp_path / "off", scheduler="affinity", cpus=4)
    on = run("working-set", tmp_path / "on", scheduler="affinity", cpus=4, settings=CACHE_ON)
    assert off.ok, off.message
    assert on.ok, on.message
    assert refills(tmp_path / "off")["total"] == 0
    paid = refills(tmp_path / "on")
    assert paid["total"] > 0 and paid["n"] > 0
    # the refill is modelled work on the hart: the same workload takes longer with it
    end = {name: json.loads((tmp_path / name / "metrics.json").read_text())["duration_ns"]
           for name in ("off", "on")}
    assert end["on"] > end["off"]
