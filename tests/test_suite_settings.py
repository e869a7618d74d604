"""The suite itself must pass on a busy machine: nothing in it may depend on wall-clock speed."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def test_property_tests_have_no_deadline_and_no_saved_examples() -> None:
    # A deadline fails a property test whenever the machine is slow; a saved example database
    # replays that failure on every later run, even on a quiet machine.
    assert settings.default.deadline is None
    assert settings.default.database is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check
