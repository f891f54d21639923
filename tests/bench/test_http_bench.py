"""The HTTP benchmark's own logic (bench/loadgen.py, bench/http_bench.py, bench/http_wsgi.py),
without the benchmark's server or dataset: percentiles, target verdicts, the results' JSON and
markdown shape, the load generator against a small local HTTP server, and the statement count
of the WSGI wrapper. No timings are asserted."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from bench import http_bench, loadgen
from bench.http_bench import TARGETS, Check, Target, finish, markdown, verdict
from bench.loadgen import Sample, percentile, summarise


# --- percentiles and summaries -----------------------------------------------------------------
def test_percentile_interpolates_between_ranks():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile(values, 0) == 1 and percentile(values, 1) == 100
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0  # order of the input does not matter


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_refuses_a_fraction_outside_0_to_1(fraction):
    with pytest.raises(ValueError, match="fraction"):
        percentile([1.0], fraction)


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_summary_counts_errors_statuses_and_queries():
    samples = [Sample(0.010, 200, 5), Sample(0.020, 200, 7), Sample(0.030, 500, 9)]
    samples += [Sample(0.040, 0, None)]  # no answer
    figures = summarise(samples, wall_seconds=2.0, client_cpu_seconds=0.5)
    assert figures["requests"] == 4
    assert figures["errors"] == 2  # the 500 and the one without an answer
    assert figures["statuses"] == {"0": 1, "200": 2, "500": 1}
    assert figures["req_per_s"] == 2.0
    assert figures["client_cpu_pct"] == 25.0
    assert figures["median_ms"] == pytest.approx(25.0)
    assert figures["max_ms"] == pytest.approx(40.0)
    assert figures["queries_median"] == 7 and figures["queries_max"] == 9


def test_summary_of_no_samples_has_no_latencies():
    figures = summarise([], wall_seconds=0, client_cpu_seconds=0)
    assert figures["requests"] == 0 and figures["median_ms"] is None
    assert figures["req_per_s"] is None and figures["queries_median"] is None


# --- verdicts ------------------------------------------------------------------------------------
def _run(p95, errors=0, **more):
    return {"p95_ms": p95, "median_ms": p95 / 2, "errors": errors, **more}


def test_verdict_met_missed_and_error():
    target = TARGETS["contacts_page1"]
    met = {"runs": {"1": _run(40), "16": _run(250, req_per_s=70)}}
    assert verdict(target, met) == ("met", [])
    slow = {"runs": {"1": _run(60), "16": _run(250, req_per_s=50)}}
    state, why = verdict(target, slow)
    assert state == "missed"
    assert any("p95_ms 60" in w for w in why) and any("req_per_s 50" in w for w in why)
    failing = {"runs": {"1": _run(10, errors=3), "16": _run(10, req_per_s=99)}}
    assert verdict(target, failing)[0] == "error"


def test_verdict_of_a_scenario_that_did_not_run_or_failed():
    assert verdict(TARGETS["case_page"], {"not_run": "no case"}) == ("not run", ["no case"])
    assert verdict(TARGETS["campaign_send"], {"error": "exit status 2"})[0] == "error"


def test_verdict_of_work_figures_and_missing_figures():
    send = TARGETS["campaign_send"]
    assert verdict(send, {"figures": {"messages_per_s": 2500.0}})[0] == "met"
    assert verdict(send, {"figures": {"messages_per_s": 1500.0}})[0] == "missed"
    # a figure the script did not report decides nothing
    assert verdict(send, {"figures": {"sent": 10}}) == ("no target", ["no figure to compare"])
    # a check on the 16-user run when only 1 user ran: decided on what ran
    only_one = {"runs": {"1": _run(40)}}
    assert verdict(TARGETS["contacts_page1"], only_one)[0] == "met"


def test_check_refuses_an_unknown_comparison():
    with pytest.raises(ValueError):
        verdict(Target("odd", (Check("p95_ms", "<", 1),)), {"runs": {"1": _run(1)}})


def test_every_issue_scenario_has_a_target():
    expected = {
        "contacts_page1", "contacts_deep", "search_name", "search_email", "search_phone",
        "search_common_surname", "search_lead", "search_deal", "contact_timeline", "deal_board",
        "agent_home", "case_page", "wallboard", "wallboard_fragment", "segment_count",
        "campaign_send", "warehouse_export", "import_large", "import_small",
    }  # fmt: skip
    assert set(TARGETS) == expected
    assert all(target.checks for target in TARGETS.values())


# --- the report ----------------------------------------------------------------------------------
def _report():
    http = {"runs": {"1": _figures(20.0), "16": _figures(200.0, users=16)}}
    return {
        "date": "2026-11-30T12:00:00+00:00",
        "scale": "small",
        "users": [1, 16],
        "run_seconds": 4.0,
        "dataset": {"contacts": 10_000},
        "environment": {
            "git_commit": "abc",
            "cpus": 2,
            "postgresql": "15.2",
            "load_before": [1.0, 1.0, 1.0],
            "load_after": [2.0, 1.0, 1.0],
        },  # fmt: skip
        "scenarios": [
            {"key": "contacts_page1", "label": "contact list, page 1", "kind": "http", **http},
            {
                "key": "contacts_deep",
                "label": "contact list, 50 pages deep",
                "kind": "http",
                "runs": {"1": _figures(24.0), "16": _figures(210.0, users=16)},
            },
            {"key": "case_page", "label": "case page", "kind": "http", "not_run": "no case"},
            {
                "key": "campaign_send",
                "label": "campaign send",
                "kind": "work",
                "figures": {"messages_per_s": 1800.0},
            },
        ],
    }


def _figures(median, users=1):
    samples = [Sample(median / 1000, 200, 9)] * 10
    figures = summarise(samples, wall_seconds=1.0, client_cpu_seconds=0.01)
    return {**figures, "users": users, "peak_worker_mib": 200.0, "server_cpu_pct": 90.0,
            "load_1m": 1.5}  # fmt: skip


def test_finish_adds_the_deep_ratio_targets_and_verdicts():
    report = _report()
    finish(report)
    by_key = {s["key"]: s for s in report["scenarios"]}
    assert by_key["contacts_deep"]["runs"]["1"]["median_ratio_to_page1"] == pytest.approx(1.2)
    assert by_key["contacts_deep"]["verdict"] == "missed"  # 1.2× page 1 > 1.1×
    assert by_key["contacts_page1"]["verdict"] == "missed"  # 16 users: 10 req/s < 60
    assert by_key["case_page"]["verdict"] == "not run"
    assert by_key["campaign_send"]["verdict"] == "missed"
    assert by_key["campaign_send"]["target"] == TARGETS["campaign_send"].text
    assert by_key["campaign_send"]["target_checks"] == [
        {"metric": "messages_per_s", "op": ">=", "limit": 2000, "users": None}
    ]
    json.loads(json.dumps(report))  # the report is plain JSON


def test_markdown_has_the_summary_and_detail_tables():
    report = _report()
    finish(report)
    text = markdown(report)
    assert "| scenario | target | measured | met |" in text
    summary = [line for line in text.splitlines() if line.startswith("| contact list, page 1 |")]
    assert len(summary) == 3  # the summary row and one detail row per users count
    assert "p95 20.0 ms" in summary[0] and "missed" in summary[0]
    assert "| case page | p95 ≤ 100 ms | – | not run (no case) |" in text
    assert "1,800 msg/s" in text
    assert "load average before [1.0, 1.0, 1.0], after [2.0, 1.0, 1.0]" in text


def test_national_phone_format():
    assert http_bench.national("+4930123456") == "030 123456"
    assert http_bench.national("+331234") == "+331234"


# --- the load generator against a real (small) HTTP server ----------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        status = 404 if self.path == "/missing" else 200
        body = b"hello"
        self.send_response(status)
        self.send_header(loadgen.QUERIES_HEADER, "3")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_load_generator_counts_answers_statuses_and_queries(local_server):
    request = loadgen.Request("GET", "/page")
    figures = loadgen.run(local_server, request, users=4, seconds=5, max_requests=40)
    assert figures["requests"] == 40  # the request budget ends the run before the duration
    assert figures["statuses"] == {"200": 40} and figures["errors"] == 0
    assert figures["queries_median"] == 3 and figures["users"] == 4
    assert figures["req_per_s"] > 0 and figures["client_cpu_pct"] is not None

    missing = loadgen.run(local_server, loadgen.Request("GET", "/missing"), users=1, seconds=5,
                          max_requests=5)  # fmt: skip
    assert missing["errors"] == 5 and missing["statuses"] == {"404": 5}


def test_load_generator_reports_a_server_that_does_not_answer():
    figures = loadgen.run("http://127.0.0.1:9", loadgen.Request("GET", "/"), users=1, seconds=5,
                          max_requests=3, warmup=0)  # fmt: skip
    assert figures["statuses"] == {"0": 3} and figures["errors"] == 3


# --- the WSGI wrapper's statement count ----------------------------------------------------------
@pytest.mark.django_db
def test_wsgi_wrapper_returns_the_statement_count(monkeypatch):
    from bench import http_wsgi

    def app(environ, start_response):
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT 1")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    monkeypatch.setattr(http_wsgi, "django_application", app)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(headers)

    assert http_wsgi.application({}, start_response) == [b"ok"]
    assert seen[http_wsgi.HEADER] == "3"
    http_wsgi.application({}, start_response)
    assert seen[http_wsgi.HEADER] == "3"  # counted per request, not summed


def test_a_partial_run_replaces_only_its_own_scenarios(tmp_path):
    stored = tmp_path / "latest.json"
    old = [{"key": "contacts_page1", "p": 1}, {"key": "campaign", "p": 2}]
    stored.write_text(json.dumps({"scale": "full", "scenarios": old}))
    fresh = [{"key": "campaign", "p": 3}, {"key": "import_1m", "p": 4}]
    merged = http_bench.merged_scenarios(stored, "full", fresh)
    assert merged == [{"key": "contacts_page1", "p": 1}, {"key": "campaign", "p": 3}, fresh[1]]
    # another scale's report, or none, is not merged into
    assert http_bench.merged_scenarios(stored, "small", fresh) == fresh
    assert http_bench.merged_scenarios(tmp_path / "missing.json", "full", fresh) == fresh
