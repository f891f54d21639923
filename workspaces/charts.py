"""Chart.js configurations as plain JSON (pure: no queries). `static/js/charts.js` draws every
`<canvas data-chart="ID">` from the `json_script` block with that id and adds the number
formatting the hints ask for (`format`: "money" | "count" | "days" | "percent", `currency`)."""

from decimal import Decimal

PALETTE = [
    "#0d6efd",
    "#20c997",
    "#fd7e14",
    "#6f42c1",
    "#d63384",
    "#198754",
    "#0dcaf0",
    "#ffc107",
    "#6c757d",
    "#dc3545",
]


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def chart_config(
    kind: str,
    labels,
    datasets: list[dict],
    *,
    fmt: str = "count",
    currency: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    decimals: int | None = None,
) -> dict:
    """{"type", "data": {"labels", "datasets"}, "format", "currency", "horizontal",
    "stacked"} for charts.js. `datasets` are dicts with "label" and "data" (Decimals become
    floats for JSON; the figures beside the chart stay exact), an optional "color" and any
    further Chart.js dataset options (borderDash, pointRadius, fill, type). `decimals`: the
    fraction digits charts.js shows (default: its own, 0 for counts and 1 otherwise)."""
    out = []
    for i, dataset in enumerate(datasets):
        dataset = dict(dataset)
        dataset["data"] = [_number(v) for v in dataset["data"]]
        color = dataset.pop("color", PALETTE[i % len(PALETTE)])
        dataset.setdefault("backgroundColor", color)
        dataset.setdefault("borderColor", color)
        out.append(dataset)
    config = {
        "type": kind,
        "data": {"labels": [str(label) for label in labels], "datasets": out},
        "format": fmt,
        "currency": currency,
        "horizontal": horizontal,
        "stacked": stacked,
    }
    if decimals is not None:
        config["decimals"] = decimals
    return config


WARN_COLOR = "#ffc107"
LIMIT_COLOR = "#dc3545"


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
