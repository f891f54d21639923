"""Chart.js configurations for the marketing pages as plain JSON (pure: no queries), in the
shape static/js/charts.js draws (the same as sales.charts, which marketing may not import):
{"type", "data": {"labels", "datasets"}, "format", "currency", "horizontal", "stacked"}."""

from decimal import Decimal

PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754"]
WARN_COLOR = "#ffc107"
LIMIT_COLOR = "#dc3545"


def chart_config(
    kind: str, labels, datasets: list[dict], *, fmt: str = "count", decimals: int | None = None
) -> dict:
    """A Chart.js config: `datasets` are dicts with "label", "data" (Decimals become floats
    for JSON; the tables beside the chart stay exact), an optional "color" and any further
    Chart.js dataset options (borderDash, pointRadius, fill, type). `decimals`: the fraction
    digits charts.js shows (default: its own, 0 for counts and 1 otherwise)."""
    out = []
    for i, dataset in enumerate(datasets):
        dataset = dict(dataset)
        dataset["data"] = [float(v) if isinstance(v, Decimal) else v for v in dataset["data"]]
        color = dataset.pop("color", PALETTE[i % len(PALETTE)])
        dataset.setdefault("backgroundColor", color)
        dataset.setdefault("borderColor", color)
        out.append(dataset)
    config = {
        "type": kind,
        "data": {"labels": [str(label) for label in labels], "datasets": out},
        "format": fmt,
        "currency": "",
        "horizontal": False,
        "stacked": False,
    }
    if decimals is not None:
        config["decimals"] = decimals
    return config


def threshold_line(label: str, value: Decimal, count: int, color: str) -> dict:
    """A flat dashed line at `value` across `count` labels (a threshold drawn on a chart)."""
    return {
        "label": label,
        "data": [value] * count,
        "color": color,
        "borderDash": [6, 4],
        "pointRadius": 0,
        "borderWidth": 1.5,
        "fill": False,
    }
