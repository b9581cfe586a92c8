import datetime

import pytest

from privacy import selectors
from privacy.models import AnalyticsSalt, DailyPageStat, PageView
from privacy.services import analytics
from privacy.tasks import privacy_daily_cleanup

pytestmark = pytest.mark.django_db


def _view(day, path="/", visitor="a" * 32):
    return PageView.objects.create(
        day=day, path=path, visitor_hash=analytics.visitor_hash(visitor_id=visitor, day=day)
    )


def test_visitor_hash_rotates_daily_and_salts_of_past_days_are_dropped():
    today = datetime.date(2026, 11, 24)
    yesterday = today - datetime.timedelta(days=1)
    same_day = analytics.visitor_hash(visitor_id="a" * 32, day=today)
    assert same_day == analytics.visitor_hash(visitor_id="a" * 32, day=today)
    assert same_day != analytics.visitor_hash(visitor_id="a" * 32, day=yesterday)
    assert same_day != analytics.visitor_hash(visitor_id="b" * 32, day=today)
    analytics.analytics_retention_run(today=today)
    assert list(AnalyticsSalt.objects.values_list("day", flat=True)) == [today]


def test_daily_task_aggregates_and_deletes_raw_events_older_than_30_days():
    today = datetime.date.today()
    old = today - datetime.timedelta(days=31)
    edge = today - datetime.timedelta(days=30)
    _view(old, visitor="a" * 32)
    _view(old, visitor="a" * 32)
    _view(old, visitor="b" * 32)
    _view(edge)
    _view(today)
    privacy_daily_cleanup.call_local()
    assert set(PageView.objects.values_list("day", flat=True)) == {edge, today}
    stat = DailyPageStat.objects.get(day=old, path="/")
    assert (stat.page_views, stat.unique_visitors) == (3, 2)
    assert DailyPageStat.objects.filter(day=edge).exists()
    assert not DailyPageStat.objects.filter(day=today).exists()  # today is not finished
    stats = selectors.daily_page_stats(since=old)
    assert {(s["day"], s["views"], s["visitors"]) for s in stats} == {
        (old, 3, 2),
        (edge, 1, 1),
        (today, 1, 1),
    }


def test_page_views_store_no_ip_or_user_agent():
    names = {f.name for f in PageView._meta.get_fields()}
    assert names == {"id", "day", "path", "visitor_hash", "created_at"}
