"""Statistics shared by the metrics: percentiles, summaries, rates and Jain's index.

Kept free of trace knowledge so each metric module states only what it measures.
A statistic of nothing (a percentile of no samples, a rate over no time) is None, never 0.
"""

PERCENTILES = (50, 90, 95, 99)


def min_samples(percent):
    """The fewest samples that can support the pX percentile: n >= 100 / (100 - X), so that at
    least one sample lies above it (p50 needs 2, p90 10, p95 20, p99 100). With fewer, the
    nearest rank is the maximum, which is not a pX."""
    return -(-100 // (100 - percent))


def nearest_rank(sorted_samples, percent):
    """The nearest-rank percentile: the smallest sample that at least `percent`% of the samples
    are less than or equal to, sorted_samples[ceil(percent * n / 100) - 1] (integer arithmetic,
    so p90 of 10 samples is exactly the 9th)."""
    rank = -(-percent * len(sorted_samples) // 100)
    return sorted_samples[max(rank, 1) - 1]


def summarise(samples):
    """n (the sample count), mean, min, max and the PERCENTILES (nearest rank) of integer
    samples, in the samples' unit. mean, min and max are None when n = 0. A percentile pX is
    None unless n >= min_samples(X); unsupported then says why, e.g. {"p99": "needs n >= 100,
    n = 40"} (empty when every percentile is supported). min is included because some samples
    (job lateness) are signed."""
    ordered = sorted(samples)
    n = len(ordered)
    summary = {"n": n, "mean": None, "max": None, "min": None, "unsupported": {}}
    if ordered:
        summary.update(mean=sum(ordered) / n, max=ordered[-1], min=ordered[0])
    for percent in PERCENTILES:
        needed = min_samples(percent)
        if n >= needed:
            summary[f"p{percent}"] = nearest_rank(ordered, percent)
        else:
            summary[f"p{percent}"] = None
            summary["unsupported"][f"p{percent}"] = f"needs n >= {needed}, n = {n}"
    return summary


def per_second(count, duration_ns):
    """count per second of a span of duration_ns nanoseconds; None for an empty span."""
    return count * 1e9 / duration_ns if duration_ns else None


def jain_index(values):
    """Jain's fairness index (sum x)^2 / (n * sum x^2) of non-negative values: 1 when all are
    equal, 1/n when one value has everything. None for no values or all zeros."""
    values = list(values)
    squares = sum(v * v for v in values)
    if not values or squares == 0:
        return None
    return sum(values) ** 2 / (len(values) * squares)
