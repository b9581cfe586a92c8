"""Tasks go through the configured Huey queue; with REDIS_URL, through real Redis."""

import uuid

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY


@pytest.mark.redis
def test_a_task_makes_a_round_trip_through_the_real_redis_queue():
    assert HUEY.__class__.__name__ == "RedisHuey"
    marker = uuid.uuid4().hex

    @HUEY.task(name=f"test_echo_{marker}")
    def echo(value: str) -> str:
        return value.upper()

    was_immediate = HUEY.immediate
    HUEY.immediate = False  # enqueue into Redis instead of running in-process
    try:
        HUEY.flush()
        result = echo(marker)
        assert HUEY.pending_count() == 1  # the message sits in Redis
        message = HUEY.dequeue()  # what a worker does: read and deserialise it...
        assert message is not None and result is not None
        HUEY.execute(message)  # ...and run it
        assert result.get(blocking=True, timeout=5) == marker.upper()
        assert HUEY.pending_count() == 0
    finally:
        HUEY.flush()
        HUEY.immediate = was_immediate


def test_tasks_run_in_process_in_the_test_suite():
    assert settings.HUEY["immediate"] is True
    assert HUEY.immediate is True
