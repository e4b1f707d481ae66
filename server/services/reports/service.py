"""The Reports page's numbers, and the event subscriber that keeps their facts.

``ReportRecorder`` listens on the event bus: each visitor's or agent's message and each
change of a conversation's state updates the store's report facts and counts
(``storage/messages/reports.py``, ``report_counts.py``); a visitor's message is scored by
VADER, a lexicon-based analyser that runs here, with no outside service. The facts are
written behind the change, not in its path: a message's sender is answered once the message
is stored, and its facts follow in the store's next write (in the order the events came);
reports built on this node, and its shutdown, wait for the facts still on their way.
``ReportService`` reads the counts of a period (``report_tally``) and builds the figures
(``report_figures``).

"Missed" (services/chat/missed.py): a conversation whose visitor's first message had no agent
reply within the site's missed time (5 minutes unless the site sets another), or within
the ``missed_after`` minutes a query asks for.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from server.domain import AuthorKind, InvalidInput, MessageKind, NotFound
from server.services.chat.missed import MAX_MINUTES, MIN_MINUTES, MissedTimes
from server.services.console.business_hours import HoursService
from server.services.events import Event
from server.services.reports import figures, visit_days, visits
from server.services.reports import tally as report_tally
from server.services.reports.business_time import (
    LOOK_BACK_MS,
    OpenClock,
    in_business_hours,
    span_of,
)
from server.services.reports.period import Period, parse_period
from server.services.team.service import TeamService
from server.services.visitors.journey import ulid_floor
from server.storage.messages.base import MessageStore
from server.storage.reports.base import ReportSettings, VisitorTraits, Writer

log = logging.getLogger("porchlight.reports")

MAX_COMMENT = 2000
STATE_EVENTS = frozenset(
    {
        "conversation.created",
        "conversation.opened",
        "conversation.resolved",
        "conversation.reopened",
        "conversation.snoozed",
        "conversation.assigned",
    }
)
VISIT_FIGURES = (
    "visits",
    "visitors_online",
    "countries",
    "devices",
    "sources",
    "entry_pages",
    "goal",
)
FIGURES = (
    "summary",
    "conversations",
    "response_times",
    "response_distribution",
    "busiest_hours",
    "team",
    "satisfaction",
    "comments",
    "sentiment",
    *VISIT_FIGURES,
)
WARM_FOR_MS = 31 * 86_400_000  # a time zone not read for this long is no longer warmed
# Figures whose times are counted within business hours only when a report asks.
TIMED_FIGURES = frozenset({"summary", "response_times", "response_distribution", "team"})


@functools.cache
def _vader() -> SentimentIntensityAnalyzer:
    """Read once per process: loading the lexicon takes tens of milliseconds, and nothing
    changes it after."""
    return SentimentIntensityAnalyzer()


class Sentiment:
    """VADER's compound score, -1 (most negative) … 1 (most positive)."""

    def __init__(self) -> None:
        self._analyser = _vader()

    def score(self, text: str) -> float | None:
        text = text.strip()
        if not text:
            return None
        return float(self._analyser.polarity_scores(text[:MAX_COMMENT])["compound"])


class ReportRecorder:
    def __init__(self, store: MessageStore, sentiment: Sentiment) -> None:
        self._store = store
        self._sentiment = sentiment
        self._pending: set[asyncio.Task[None]] = set()

    async def on_event(self, event: Event) -> None:
        """Starts the event's write and returns. A conversation's facts depend on the order
        of its events (a reply is the first response only after the visitor's message):
        the writes start in the order the events came and reach the store before their
        first pause, and the store applies one conversation's changes in the order they
        were called."""
        task = asyncio.ensure_future(self._record(event))
        self._pending.add(task)
        task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("report facts not kept", exc_info=task.exception())

    async def settled(self) -> None:
        """Every fact of the events heard so far is written (or failed and logged)."""
        while self._pending:
            await asyncio.wait(list(self._pending))

    async def _record(self, event: Event) -> None:
        if event.name == "message.created":
            await self._message(event)
        elif event.name == "rating.created":
            await self._rated(event)
        elif event.name in STATE_EVENTS:
            conversation = event.data.get("conversation") or {}
            if conversation.get("id"):
                await self._store.report_conversation(
                    event.site_id,
                    conversation["id"],
                    _ms(conversation.get("created_at")) or _now_ms(),
                    assignee_id=conversation.get("assignee_id"),
                    resolved_ms=_ms(conversation.get("resolved_at"))
                    if conversation.get("status") == "resolved"
                    else None,
                )

    async def _rated(self, event: Event) -> None:
        """``rating.created`` with ``{conversation: {id}, rating: {points: 1…5, comment,
        rated_at}}`` (a visitor's good is 5, okay 3, bad 1)."""
        rating = event.data.get("rating") or {}
        points = rating.get("points")
        conversation_id = (event.data.get("conversation") or {}).get("id") or event.conversation_id
        if isinstance(points, int) and 1 <= points <= 5 and conversation_id:
            comment = str(rating.get("comment") or "").strip()[:MAX_COMMENT]
            at = _ms(rating.get("rated_at")) or _now_ms()
            await self._store.rate_conversation(event.site_id, conversation_id, points, comment, at)

    async def _message(self, event: Event) -> None:
        message = event.data.get("message") or {}
        if message.get("kind", MessageKind.MESSAGE.value) != MessageKind.MESSAGE.value:
            return  # notes, system lines and events are no conversation between people
        author = message.get("author") or {}
        kind = author.get("kind")
        at = _ms(message.get("created_at")) or _now_ms()
        conversation_id = message.get("conversation_id") or event.conversation_id
        if not conversation_id:
            return
        if kind == AuthorKind.VISITOR.value:
            await self._store.report_message(
                event.site_id,
                conversation_id,
                at,
                at,
                Writer.VISITOR,
                sentiment=self._sentiment.score(str(message.get("text") or "")),
            )
        elif kind == AuthorKind.AGENT.value:
            agent_id = author.get("id")
            await self._store.report_message(
                event.site_id,
                conversation_id,
                at,
                at,
                Writer.AGENT,
                agent_id=int(agent_id) if str(agent_id or "").isdigit() else None,
            )


class ReportService:
    def __init__(
        self,
        store: MessageStore,
        team: TeamService,
        missed: MissedTimes | None = None,
        settled: Callable[[], Awaitable[None]] | None = None,
        hours: HoursService | None = None,
    ) -> None:
        self._store = store
        self._team = team
        self._hours = hours  # each site's business hours, for "business hours only"
        # (site, time zone) of the reports read on this node, and when: the upkeep caches
        # their last day once it has ended, so no reader pays for counting it.
        self._zones_read: dict[tuple[int, str], int] = {}
        self._warmed: set[tuple[int, str, date]] = set()
        self._missed = missed  # told when a site's missed time changes
        self._settled = settled  # the recorder's facts on their way, written first

    def period(self, query: dict[str, str], *, today: date | None = None) -> Period:
        return parse_period(query, today=today or datetime.now(UTC).date())

    async def figures(
        self,
        site_ids: Sequence[int],
        query: dict[str, str],
        names: Sequence[str] = FIGURES,
        *,
        now_ms: int | None = None,
    ) -> tuple[Period, dict[str, figures.Figure]]:
        """The figures named, for these sites over the period the query gives."""
        unknown = [n for n in names if n not in FIGURES]
        if unknown:
            raise NotFound(f"no such report: {unknown[0][:40]}")
        query = dict(query)
        if not query.get("tz"):
            own = (await self.settings(site_ids[0])).time_zone if len(site_ids) == 1 else ""
            query["tz"] = own or query.get("default_tz") or "UTC"
        period = self.period(query)
        asked = _missed_after(query)
        missed_after_ms = {
            site_id: (asked or (await self.settings(site_id)).missed_after_minutes) * 60_000
            for site_id in site_ids
        }
        now = now_ms if now_ms is not None else _now_ms()
        for site_id in site_ids:
            self._zones_read[(site_id, period.zone.key)] = now
        if self._settled is not None:
            await self._settled()
        counted = await report_tally.tally(self._store, site_ids, period, missed_after_ms, now)
        in_hours = await self.with_business_hours(site_ids) if _business_only(query) else []
        if set(names) & TIMED_FIGURES:
            for site_id in in_hours:
                await self._count_open_time(counted, period, site_id)
        rated = (
            await self._store.rating_comments(
                site_ids, period.since_ms, period.until_ms, figures.COMMENTS_LIMIT
            )
            if "comments" in names
            else []
        )
        agent_names = await self._agent_names(site_ids) if "team" in names else {}
        build: dict[str, Any] = {
            "summary": lambda: figures.summary(counted),
            "conversations": lambda: figures.conversations(period, counted),
            "response_times": lambda: figures.response_times(period, counted),
            "response_distribution": lambda: figures.distribution(counted),
            "busiest_hours": lambda: figures.busiest_hours(counted),
            "team": lambda: figures.team(counted, agent_names),
            "satisfaction": lambda: figures.satisfaction(period, counted),
            "comments": lambda: figures.comments(period, rated),
            "sentiment": lambda: figures.sentiment(period, counted),
        }
        found = {name: build[name]() for name in names if name in build}
        for name in TIMED_FIGURES & set(found) if in_hours else ():
            found[name] = dataclasses.replace(
                found[name], title=f"{found[name].title} (business hours only)"
            )
        wanted_visits = [n for n in names if n in VISIT_FIGURES]
        if wanted_visits:
            found |= await self._visit_figures(site_ids, period, wanted_visits, now)
        return period, {name: found[name] for name in names}

    async def warm(self, now_ms: int) -> int:
        """Cache, for each site and time zone read here in the last month, the local day
        that ended last (and the week or month that ended with it); how many were made."""
        made = 0
        for (site_id, zone), read_ms in list(self._zones_read.items()):
            if now_ms - read_ms > WARM_FOR_MS:
                del self._zones_read[(site_id, zone)]
                continue
            today = datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(ZoneInfo(zone)).date()
            yesterday = today - timedelta(days=1)
            if (site_id, zone, yesterday) in self._warmed:
                continue
            spans = [(yesterday, yesterday, "day")]
            if today.weekday() == 0:
                spans.append((today - timedelta(days=7), yesterday, "week"))
            if today.day == 1:
                spans.append((yesterday.replace(day=1), yesterday, "day"))
            for first, last, interval in spans:
                query = {"from": first.isoformat(), "to": last.isoformat(), "tz": zone}
                await self.figures([site_id], query | {"interval": interval}, now_ms=now_ms)
            self._zones_read[(site_id, zone)] = read_ms  # warming is no reading
            self._warmed.add((site_id, zone, yesterday))
            made += 1
        recent = datetime.fromtimestamp(now_ms / 1000, UTC).date() - timedelta(days=3)
        self._warmed = {w for w in self._warmed if w[2] >= recent}
        return made

    async def with_business_hours(self, site_ids: Sequence[int]) -> list[int]:
        """The sites that have business hours (a report may count its times in them)."""
        if self._hours is None:
            return []
        return [s for s in site_ids if (await self._hours.settings(s)).enabled]

    async def _count_open_time(
        self, counted: report_tally.Tally, period: Period, site_id: int
    ) -> None:
        assert self._hours is not None
        facts = await self._store.conversation_facts(
            [site_id], period.since_ms - LOOK_BACK_MS, period.until_ms
        )
        span = span_of(facts)
        if span is None:
            return
        spans = await self._hours.open_intervals(site_id, *span)
        in_business_hours(counted, period, facts, OpenClock(spans))

    async def _visit_figures(
        self, site_ids: Sequence[int], period: Period, names: Sequence[str], now_ms: int
    ) -> dict[str, figures.Figure]:
        buckets: list[tuple[int, Any]] = []
        parts: list[Any] = []
        goals: set[str] = set()
        for site_id in site_ids:
            goal_path = (await self.settings(site_id)).goal_path
            if goal_path:
                goals.add(goal_path)
            site_buckets, site_parts = await visit_days.visit_days(
                self._store, site_id, period, goal_path, self._read_visits, now_ms
            )
            buckets += site_buckets
            parts += site_parts
        found = visit_days.figures_of(period, buckets, parts, sorted(goals))
        return {name: found[name] for name in names}

    async def _read_visits(
        self, site_id: int, since_ms: int, until_ms: int, goal_path: str
    ) -> tuple[list[visits.Visit], dict[str, VisitorTraits]]:
        """One site's visits that began in ``[since, until)``, read from the page views."""
        since, until = _ulid_floor(since_ms), _ulid_floor(until_ms)
        sessions = await self._store.visit_sessions([site_id], since, until)
        starts = await self._store.conversation_starts(
            [site_id], since, _ulid_floor(until_ms + visits.CHAT_AFTER_LAST_VIEW_MS)
        )
        reached: set[str] = set()
        if goal_path:
            pages = await self._store.pages_containing([site_id], since, until, goal_path)
            reached = visits.goal_sessions_of(pages, goal_path)
        found = visits.visits_of(sessions, starts, reached)
        traits = await self._store.visitor_traits(
            [site_id], sorted({v.session.visitor_id for v in found})
        )
        return found, traits

    async def settings(self, site_id: int) -> ReportSettings:
        return await self._store.report_settings(site_id)

    async def save_settings(
        self,
        site_id: int,
        goal_path: str,
        time_zone: str,
        missed_after_minutes: int | None = None,
    ) -> ReportSettings:
        """Save the site's report settings; ``missed_after_minutes`` None keeps it."""
        if missed_after_minutes is None:
            missed_after_minutes = (await self.settings(site_id)).missed_after_minutes
        if not MIN_MINUTES <= missed_after_minutes <= MAX_MINUTES:
            raise InvalidInput(
                f"the missed time is a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}"
            )
        goal_path = goal_path.strip()
        if goal_path and (not goal_path.startswith("/") or len(goal_path) > 300):
            raise InvalidInput("the goal page is a path that starts with /, like /checkout/done")
        time_zone = time_zone.strip()
        if time_zone:
            parse_period({"tz": time_zone}, today=date(2026, 1, 1))  # an unknown zone is refused
        settings = ReportSettings(goal_path, time_zone, missed_after_minutes)
        await self._store.save_report_settings(site_id, settings)
        if self._missed is not None:
            self._missed.forget(site_id)
        return settings

    async def sentiments(self, site_id: int, conversation_ids: Sequence[str]) -> dict[str, float]:
        found = await self._store.conversation_sentiments(site_id, conversation_ids)
        return {key: round(value, 3) for key, value in found.items()}

    async def _agent_names(self, site_ids: Sequence[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        for site_id in site_ids:
            for member in await self._team.members(site_id):
                names[member.agent.id] = member.agent.name or member.agent.email
        return names


def _business_only(query: dict[str, str]) -> bool:
    raw = (query.get("business_hours") or "false").strip().lower()
    if raw not in ("true", "false", "1", "0"):
        raise InvalidInput("business_hours must be true or false")
    return raw in ("true", "1")


def _missed_after(query: dict[str, str]) -> int | None:
    """The minutes the query asks for; None: each site's own missed time."""
    raw = query.get("missed_after")
    if not raw:
        return None
    if not raw.isdigit() or not MIN_MINUTES <= int(raw) <= MAX_MINUTES:
        raise InvalidInput(f"missed_after must be minutes from {MIN_MINUTES} to {MAX_MINUTES}")
    return int(raw)


def _ms(value: Any) -> int | None:
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _ulid_floor(ms: int) -> str:
    return ulid_floor(datetime.fromtimestamp(ms / 1000, UTC))


def _now_ms() -> int:
    return int(time.time() * 1000)
