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
) -> dict:
    """{"type", "data": {"labels", "datasets"}, "format", "currency", "horizontal",
    "stacked"} for charts.js. `datasets` are dicts with "label" and "data" (Decimals become
    floats for JSON; the figures beside the chart stay exact) and an optional "color"."""
    out = []
    for i, dataset in enumerate(datasets):
        dataset = dict(dataset)
        dataset["data"] = [_number(v) for v in dataset["data"]]
        color = dataset.pop("color", PALETTE[i % len(PALETTE)])
        dataset.setdefault("backgroundColor", color)
        dataset.setdefault("borderColor", color)
        out.append(dataset)
    return {
        "type": kind,
        "data": {"labels": [str(label) for label in labels], "datasets": out},
        "format": fmt,
        "currency": currency,
        "horizontal": horizontal,
        "stacked": stacked,
    }
