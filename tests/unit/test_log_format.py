"""LAGESBILD_LOG_FORMAT=json: one JSON object per record, with the request's id and fields when it has them."""

from __future__ import annotations

import json
import logging

from service.log_format import REQUEST_ID, JsonFormatter, RequestIdFilter


def _line(record: logging.LogRecord) -> dict[str, object]:
    RequestIdFilter().filter(record)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    parsed: dict[str, object] = json.loads(text)
    return parsed


def test_a_record_outside_a_request_has_time_level_logger_and_message() -> None:
    record = logging.LogRecord("projections.runner", logging.WARNING, __file__, 1, "lost %s", ("x\ny",), None)
    line = _line(record)
    assert set(line) == {"time", "level", "logger", "message"}
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "projections.runner", "lost x\ny")
    assert str(line["time"]).endswith("+00:00")


def test_a_record_inside_a_request_carries_its_id_and_an_access_record_its_fields() -> None:
    token = REQUEST_ID.set("abc-123")
    try:
        inside = _line(logging.LogRecord("service.api", logging.INFO, __file__, 1, "Översikt", (), None))
        access = logging.LogRecord("lagesbild.access", logging.INFO, __file__, 1, "GET", (), None)
        access.__dict__.update(route="/api/v1/reports/{report_id:uuid}", status=404, duration_ms=1.5, method="GET")
        fields = _line(access)
    finally:
        REQUEST_ID.reset(token)
    assert inside["request_id"] == "abc-123"
    assert inside["message"] == "Översikt"
    assert fields["route"] == "/api/v1/reports/{report_id:uuid}"
    assert (fields["status"], fields["duration_ms"], fields["request_id"]) == (404, 1.5, "abc-123")
