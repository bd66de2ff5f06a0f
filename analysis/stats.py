"""Statistics shared by the metrics: percentiles, summaries, rates and Jain's index.

Kept free of trace knowledge so each metric module states only what it measures.
A statistic of nothing (a percentile of no samples, a rate over no time) is None, never 0.
"""

PERCENTILES = (50, 90, 95, 99)


def nearest_rank(sorted_samples, percent):
    """The nearest-rank percentile: the smallest sample that at least `percent`% of the samples
    are less than or equal to, sorted_samples[ceil(percent * n / 100) - 1] (integer arithmetic,
    so p90 of 10 samples is exactly the 9th)."""
    rank = -(-percent * len(sorted_samples) // 100)
    return sorted_samples[max(rank, 1) - 1]


def summarise(samples):
    """count, mean, max and the PERCENTILES (nearest rank) of integer samples, in the samples'
    unit; all but count are None when there are no samples. min is included because some
    samples (job lateness) are signed."""
    ordered = sorted(samples)
    summary = {"count": len(ordered), "mean": None, "max": None, "min": None}
    summary.update({f"p{percent}": None for percent in PERCENTILES})
    if ordered:
        summary.update(mean=sum(ordered) / len(ordered), max=ordered[-1], min=ordered[0])
        summary.update({f"p{p}": nearest_rank(ordered, p) for p in PERCENTILES})
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
