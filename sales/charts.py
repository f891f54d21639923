"""The Chart.js configurations moved to workspaces.charts (service and marketing draw charts
too and may not import sales); re-exported for the sales modules that import them here."""

from workspaces.charts import PALETTE, chart_config

__all__ = ["PALETTE", "chart_config"]
