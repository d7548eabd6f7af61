"""The service's Prometheus metrics (HTTP edge): one registry per app, exposed by `GET /metrics`.

Counted as things happen: requests per route template (not the raw path) and their latency,
events per append and appends per group commit (service/store/group_commit.py reports each
group). Read when scraped: the projections' positions and lag (gauges set by the handler, from
the database), the read log's buffer, writes and drops, the connection pools' use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from litestar.datastructures import State
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.store.appends import PendingAppend

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
GROUP_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)
APPEND_BUCKETS = (1, 2, 3, 5, 10, 20, 50, 100)


class _ScrapedState(Collector):
    """Read off the app's state when scraped: the read log's counters, the tasks, the catalogue, the pools."""

    def __init__(self, state: State) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        """The families, from whatever of the state exists yet (nothing before start-up)."""
        read_log = getattr(self.state, "read_log", None)
        if read_log is not None:
            buffered = GaugeMetricFamily(
                "lagesbild_read_log_buffered", "Read records waiting to be written to the read log."
            )
            buffered.add_metric([], read_log.buffered)
            dropped = CounterMetricFamily(
                "lagesbild_read_log_dropped", "Read records lost because the buffer was full or at shutdown."
            )
            dropped.add_metric([], read_log.dropped)
            written = CounterMetricFamily("lagesbild_read_log_written", "Read records written to the read log.")
            written.add_metric([], read_log.written)
            yield from (buffered, dropped, written)
        tasks = getattr(self.state, "tasks", None)  # the supervisor of the background tasks (service/supervision.py)
        if tasks is not None:
            up = GaugeMetricFamily(
                "lagesbild_task_up",
                "1 while the background task runs, 0 while it waits to be restarted after a failure.",
                labels=["task"],
            )
            restarts = CounterMetricFamily(
                "lagesbild_task_restarts", "Times the background task was restarted after a failure.", labels=["task"]
            )
            for task in tasks.states.values():
                up.add_metric([task.name], int(task.up))
                restarts.add_metric([task.name], task.restarts)
            yield from (up, restarts)
        catalogue = getattr(self.state, "catalogue", None)
        if catalogue is not None:
            rows = CounterMetricFamily(
                "lagesbild_catalogue_rows_read", "Rows of the catalogue read model the catalogue's reads took."
            )
            rows.add_metric([], catalogue.rows_read)
            decoded = CounterMetricFamily(
                "lagesbild_catalogue_events_decoded", "Catalogue events not yet projected that its reads decoded."
            )
            decoded.add_metric([], catalogue.events_decoded)
            yield from (rows, decoded)
        in_use = GaugeMetricFamily("lagesbild_db_pool_in_use", "Connections of the pool lent out now.", labels=["pool"])
        size = GaugeMetricFamily("lagesbild_db_pool_size", "Connections the pool holds open now.", labels=["pool"])
        limit = GaugeMetricFamily("lagesbild_db_pool_max", "Connections the pool may open at most.", labels=["pool"])
        for name, pool in (
            ("queries", getattr(self.state, "pool", None)),
            ("readers", getattr(self.state, "reader_pool", None)),
        ):
            if pool is None:
                continue
            in_use.add_metric([name], pool.get_size() - pool.get_idle_size())
            size.add_metric([name], pool.get_size())
            limit.add_metric([name], pool.get_max_size())
        yield from (in_use, size, limit)


class ServiceMetrics:
    """The app's metrics and their registry (one per app, so that apps in one process do not mix)."""

    def __init__(self, state: State) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "lagesbild_http_requests", "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"], registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "lagesbild_http_request_duration_seconds", "Time from a request's head to its answer's end, by route.",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.append_events = Histogram(
            "lagesbild_append_events", "Events per append (one aggregate's events, all or none).",
            buckets=APPEND_BUCKETS, registry=registry,
        )  # fmt: skip
        self.group_appends = Histogram(
            "lagesbild_group_commit_appends", "Appends written together in one transaction (a group commit).",
            buckets=GROUP_BUCKETS, registry=registry,
        )  # fmt: skip
        labels = ["projection"]
        self.position = Gauge(
            "lagesbild_projection_position", "Position the projection's active generation has reached.",
            labels, registry=registry,
        )  # fmt: skip
        self.lag_events = Gauge(
            "lagesbild_projection_lag_events", "Events between the head of the log and the projection.",
            labels, registry=registry,
        )  # fmt: skip
        self.lag_seconds = Gauge(
            "lagesbild_projection_lag_seconds", "Age of the oldest event the projection has not applied.",
            labels, registry=registry,
        )  # fmt: skip
        self.failed = Gauge(
            "lagesbild_projection_failed", "1 if the projection stopped at an event it could not apply.",
            labels, registry=registry,
        )  # fmt: skip
        registry.register(_ScrapedState(state))
        # Children by label values; bounded as the labels are (route templates, methods, statuses).
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[tuple[str, str], Histogram] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency (the labelled children kept: `labels()` costs more)."""
        key = (method, route, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = self.requests.labels(method, route, str(status))
        histogram = self._histograms.get(key[:2])
        if histogram is None:
            histogram = self._histograms[key[:2]] = self.latency.labels(method, route)
        counter.inc()
        histogram.observe(seconds)

    def observe_group(self, group: Sequence[PendingAppend]) -> None:
        """Count one group commit: its size, and the events of each append in it."""
        self.group_appends.observe(len(group))
        for append in group:
            self.append_events.observe(len(append.records))

    def set_projections(self, statuses: Sequence[dict[str, Any]]) -> None:
        """The projections' positions and lag as just read (tracker.status())."""
        for p in statuses:
            name = p["projection"]
            self.position.labels(name).set(p["position"])
            self.lag_events.labels(name).set(p["lag_events"])
            self.lag_seconds.labels(name).set(p["lag_seconds"])
            self.failed.labels(name).set(1 if p["failure"] else 0)
