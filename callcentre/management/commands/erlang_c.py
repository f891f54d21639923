"""manage.py erlang_c --calls N --interval-minutes M --aht SECONDS --answer-within SECONDS
[--agents N | --target-sl PERCENT] [--shrinkage PERCENT] [--max-occupancy PERCENT]
[--patience SECONDS]

Prints the Erlang C figures of one interval as JSON (Erlang A with --patience): agents,
traffic_erlangs, probability_of_waiting, service_level, asa_seconds, occupancy,
scheduled_agents (after shrinkage), stable (and probability_of_abandon for Erlang A).
Probabilities, service level and occupancy are percentages. The same calculation as the
capacity planning page (callcentre.erlang.plan_interval); no database access."""

import json

from django.core.management.base import BaseCommand, CommandError

from callcentre.erlang import plan_interval


def _percent(value: float | None, name: str, *, upper_open: bool = False) -> float | None:
    if value is None:
        return None
    top_ok = value < 100 if upper_open else value <= 100
    if not (value >= 0 and top_ok):
        limit = "below 100" if upper_open else "at most 100"
        raise CommandError(f"--{name} must be a percentage from 0 to {limit}, not {value:g}.")
    return value / 100


class Command(BaseCommand):
    help = "Erlang C (or Erlang A with --patience) staffing figures for one interval, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=float, required=True, help="Calls offered.")
        parser.add_argument(
            "--interval-minutes", type=float, required=True, help="Interval length."
        )
        parser.add_argument("--aht", type=float, required=True, help="Average handle time (s).")
        parser.add_argument(
            "--answer-within", type=float, required=True, help="Service level time (s)."
        )
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--agents", type=int, help="Agents on the queue.")
        group.add_argument("--target-sl", type=float, help="Target service level (%%).")
        parser.add_argument("--shrinkage", type=float, default=0.0, help="Shrinkage (%%).")
        parser.add_argument("--max-occupancy", type=float, help="Maximum occupancy (%%).")
        parser.add_argument(
            "--patience", type=float, help="Average patience (s): Erlang A with abandonment."
        )

    def handle(self, *args, **o):
        if o["calls"] < 0:
            raise CommandError("--calls must not be negative.")
        if o["interval_minutes"] <= 0:
            raise CommandError("--interval-minutes must be positive.")
        if o["aht"] <= 0:
            raise CommandError("--aht must be positive.")
        if o["answer_within"] < 0:
            raise CommandError("--answer-within must not be negative.")
        if o["agents"] is not None and o["agents"] < 0:
            raise CommandError("--agents must not be negative.")
        if o["patience"] is not None and o["patience"] <= 0:
            raise CommandError("--patience must be positive.")
        target = _percent(o["target_sl"], "target-sl", upper_open=True)
        if target is not None and target <= 0:
            raise CommandError("--target-sl must be above 0 and below 100.")
        max_occupancy = _percent(o["max_occupancy"], "max-occupancy")
        if max_occupancy is not None and max_occupancy <= 0:
            raise CommandError("--max-occupancy must be above 0 and at most 100.")
        if max_occupancy is not None and target is None:
            raise CommandError("--max-occupancy applies only with --target-sl.")
        try:
            plan = plan_interval(
                calls=o["calls"],
                interval_seconds=o["interval_minutes"] * 60,
                aht=o["aht"],
                answer_within=o["answer_within"],
                agents=o["agents"],
                target_service_level=target,
                shrinkage=_percent(o["shrinkage"], "shrinkage", upper_open=True),
                max_occupancy=max_occupancy,
                patience=o["patience"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(plan.as_dict(), indent=2))
