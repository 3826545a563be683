"""What a team says: its self-assessments against a maturity model.

Answers and frozen results point at the model with `on_delete=PROTECT`, so
nothing a team has answered can be deleted from under it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from maturity import generation
from maturity.checks import checks_of
from maturity.compiled import CompiledQuery, placeholder
from maturity.generation import AdvancesGeneration, AdvancingQuerySet
from maturity.models import Category, MaturityModel, Practice
from maturity.tree import CategoryNode, ModelTree, PracticeNode, load_tree
from teams.models import AnyUser, Membership, Team, lock_team

from . import agreement, dora, records, scoring
from .agreement import Votes
from .edits import BLANK, Edit, Outcome, Sent, Stored, Whose, decide, resolve
from .questionnaire import CategoryProgress, Progress, progress
from .scoring import Status

NOTE_MAX_LENGTH = 2000


# Stand for an assessment's, a team's and a category's ids in the queries below.
ASSESSMENT_ID, TEAM_ID, CATEGORY_ID = placeholder(), placeholder(), placeholder()


def _votes_cast(assessment: int, team: int) -> models.QuerySet[MemberAnswer]:
    """The own answers on the assessment of the team's members."""
    members = Membership.objects.filter(team_id=team).values("user_id")
    return MemberAnswer.objects.filter(assessment_id=assessment, user_id__in=members)


def _counted(votes: models.QuerySet[MemberAnswer]) -> models.QuerySet[MemberAnswer, Any]:
    """(practice id, status, how many) of the votes given (not blank)."""
    given = votes.exclude(status="").values("practice_id", "status")
    return given.annotate(n=Count("pk")).values_list("practice_id", "status", "n").order_by()


def _answer_states(**padding: Value) -> models.QuerySet[Answer, Any]:
    """(practice id, status, note, confirmed, *padding) of each of the draft's answers."""
    answers = Answer.objects.filter(assessment=ASSESSMENT_ID).annotate(**padding)
    return answers.values_list("practice_id", "status", "note", "confirmed", *padding).order_by()


# What the questionnaire and review read of a draft on every view, compiled once per
# process (maturity.compiled): each answer's state, with, in the same round trip, the
# members' own answers in the category (the questionnaire) or every vote counted (the
# review); and which practices (by key) an assessment answered.
ANSWER_STATES = CompiledQuery(_answer_states)
# A category page's rows: (practice id, status, note, confirmed, voter) of every team
# answer (voter None) and of each member's own answer in the category.
PageRows = tuple[tuple[Any, ...], ...]
ANSWERS_AND_MEMBERS_IN = CompiledQuery(
    lambda: _answer_states(voter=Value(None, output_field=models.BigIntegerField())).union(
        _votes_cast(ASSESSMENT_ID, TEAM_ID)
        .filter(practice__cell__category=CATEGORY_ID)
        .annotate(no_confirmed=Value(None, output_field=models.BooleanField()))
        .values_list("practice_id", "status", "note", "no_confirmed", "user_id")
        .order_by(),
        all=True,
    )
)
VOTES = CompiledQuery(lambda: _counted(_votes_cast(ASSESSMENT_ID, TEAM_ID)))
# The review's rows: (practice id, status, note, confirmed, None) of every team answer, and
# (practice id, status, "", None, how many) of the members' votes counted.
ReviewRows = tuple[tuple[Any, ...], ...]
ANSWERS_AND_VOTES = CompiledQuery(
    lambda: _answer_states(votes=Value(None, output_field=models.IntegerField())).union(
        _counted(_votes_cast(ASSESSMENT_ID, TEAM_ID))
        .annotate(
            no_note=Value("", output_field=models.TextField()),
            no_confirmed=Value(None, output_field=models.BooleanField()),
        )
        .values_list("practice_id", "status", "no_note", "no_confirmed", "n"),
        all=True,
    )
)
ANSWERED_KEYS = CompiledQuery(
    lambda: Answer.objects.filter(assessment=ASSESSMENT_ID).values_list("practice__key")
)
KEYS_SECONDS = 60 * 60


def answered_keys(submitted_id: int) -> frozenset[str]:
    """The keys of the practices a submitted assessment answered (one query), kept under
    the data generation: its answers never change, and a practice's key changing moves
    the generation on."""
    return generation.cached(
        "answered-keys",
        submitted_id,
        lambda: frozenset(key for (key,) in ANSWERED_KEYS.rows({ASSESSMENT_ID: submitted_id})),
        KEYS_SECONDS,
    )


class AnswerState(NamedTuple):
    """An answer as pages and scoring read it."""

    status: str
    note: str
    confirmed: bool


def answers_in(
    rows: PageRows, category: CategoryNode, user: AnyUser
) -> tuple[dict[int, AnswerState], dict[int, Votes], dict[int, Stored]]:
    """From a category page's rows (Assessment.rows_in): every answer (as
    answers_by_practice), and for the category's practices the members' votes and the
    user's own answers."""
    shown = {practice.id for practice in category.practices}
    answers: dict[int, AnswerState] = {}
    statuses: dict[int, list[str]] = {}
    mine: dict[int, Stored] = {}
    for pk, status, note, confirmed, voter in rows:
        if voter is None:  # the team's answer
            answers[pk] = AnswerState(status, note, confirmed)
        elif pk in shown:  # not a retired practice
            statuses.setdefault(pk, []).append(status)
            if voter == user.pk:
                mine[pk] = Stored(status, note)
    return answers, {pk: Votes.count(given) for pk, given in statuses.items()}, mine


def answers_and_votes(rows: ReviewRows) -> tuple[dict[int, AnswerState], dict[int, Votes]]:
    """From the review's rows (Assessment.review_rows): every answer (as
    answers_by_practice) and every practice's votes (as Assessment.votes())."""
    answers: dict[int, AnswerState] = {}
    counted = []
    for pk, status, note, confirmed, votes in rows:
        if votes is None:
            answers[pk] = AnswerState(status, note, confirmed)
        else:
            counted.append((pk, status, votes))
    return answers, agreement.votes_by_practice(counted)


class AlreadySubmitted(Exception):
    """A submitted assessment is read-only."""


class Discarded(Exception):
    """The draft was discarded meanwhile: there is nothing left to change."""


class DraftUnderWay(Exception):
    """A team has one open draft at a time."""

    def __init__(self, draft: Assessment):
        self.draft = draft
        super().__init__(f"{draft.team} has a draft under way")


class NotSubmitted(Exception):
    """Only a submitted assessment can be voided; a draft is discarded instead."""


class AlreadyVoided(Exception):
    """A voided assessment stays voided."""


class Incomplete(Exception):
    """Submitting needs every active practice answered."""

    def __init__(self, gaps: list[CategoryProgress]):
        self.gaps = gaps
        super().__init__(f"{sum(len(gap.missing) for gap in gaps)} practices are not answered")


class AssessmentQuerySet(AdvancingQuerySet["Assessment"]):
    def submitted(self) -> AssessmentQuerySet:
        """Submitted and not voided: what counts in scores, trends and lists."""
        return self.filter(submitted_at__isnull=False, voided_at__isnull=True)

    def history(self) -> AssessmentQuerySet:
        """Every submitted assessment, voided ones included, newest first."""
        return self.filter(submitted_at__isnull=False).order_by("-submitted_at", "-pk")

    def drafts(self) -> AssessmentQuerySet:
        return self.filter(submitted_at__isnull=True)

    def with_membership(self, user: AnyUser) -> AssessmentQuerySet:
        """Annotate `role`: the user's role in the assessment's team, None for anyone
        else (`is_member` and `is_lead` read it)."""
        membership = Membership.objects.filter(team=OuterRef("team"), user=user.pk)
        role = Subquery(membership.values("role")[:1])
        return self.annotate(role=role)  # type: ignore[no-redef]  # django-stubs#2818

    def for_pages(self, user: AnyUser) -> AssessmentQuerySet:
        """What the assessment's pages read with it: team, model, the user's `role`,
        `prefilled_on`, when the assessment its answers were copied from was submitted,
        `team_size`, how many members the team has, and `outcomes_confirmed`, False while
        its delivery metrics are copied from the last assessment and not yet saved."""
        prefilled_on = F("prefilled_from__submitted_at")
        outcomes_confirmed = F("delivery__confirmed")  # None without delivery metrics
        members = Membership.objects.filter(team=OuterRef("team")).order_by().values("team")
        team_size = Subquery(members.annotate(n=Count("pk")).values("n")[:1])
        return (
            self.select_related("team", "model")
            .with_membership(user)
            .annotate(
                prefilled_on=prefilled_on,
                team_size=team_size,
                outcomes_confirmed=outcomes_confirmed,
            )  # type: ignore[no-redef]  # django-stubs#2818
        )

    def mark_latest(self, team_id: int, model_id: int) -> None:
        """Set `is_latest` on the team's latest counted assessment of the model and on no
        other (two queries), in the transaction of the submission or void that changed
        it, which holds the team's row lock (lock_team): a submission or void committed
        meanwhile is then seen, so two at once cannot leave two marked (which
        one_latest_per_team_and_model refuses) or none."""
        of_team = self.filter(team_id=team_id, model_id=model_id)
        latest = of_team.submitted().order_by("-submitted_at", "-pk").values("pk")[:1]
        of_team.filter(is_latest=True).exclude(pk=Subquery(latest)).update(is_latest=False)
        of_team.filter(pk=Subquery(latest), is_latest=False).update(is_latest=True)


class Assessment(AdvancesGeneration):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assessments")
    model = models.ForeignKey(MaturityModel, on_delete=models.PROTECT, related_name="assessments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while the assessment is a draft."
    )
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier assessment whose answers this one started from.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Everything the result shows, as it was at submission; never changes.",
    )
    overall = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="The mean score of the scored categories, frozen at submission; empty for "
        "a draft or when no category was scored.",
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    is_latest = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="The latest counted (submitted, not voided) assessment of its team and "
        "model: set by submitting and voiding (mark_latest).",
    )

    objects = AssessmentQuerySet.as_manager()
    role: str | None  # only on rows fetched with_membership()
    prefilled_on: datetime | None  # only on rows fetched for_pages()
    team_size: int  # only on rows fetched for_pages()
    outcomes_confirmed: bool | None  # only on rows fetched for_pages()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A team's history and its latest result: filter by team, newest submission first.
            models.Index(fields=["team", "submitted_at"], name="assessment_team_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(record__isnull=False),
                name="submitted_assessment_has_record",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True)
                | (Q(submitted_at__isnull=False) & ~Q(void_reason="")),
                name="voided_assessment_was_submitted_with_reason",
            ),
            # Also the index that finds each team's latest of a model (the dashboard).
            models.UniqueConstraint(
                fields=["team", "model"],
                condition=Q(is_latest=True),
                name="one_latest_per_team_and_model",
            ),
            models.CheckConstraint(
                condition=Q(is_latest=False)
                | Q(submitted_at__isnull=False, voided_at__isnull=True),
                name="latest_assessment_is_counted",
            ),
        ]

    def __str__(self) -> str:
        state = f"submitted {self.submitted_at:%Y-%m-%d}" if self.submitted_at else "draft"
        return f"{self.team} / {self.model} ({state})"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None

    @property
    def is_member(self) -> bool:
        """Whether the user it was fetched for (with_membership) is on its team."""
        return self.role is not None

    @property
    def is_lead(self) -> bool:
        return self.role == Membership.Role.LEAD

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @classmethod
    def start(
        cls, team: Team, model: MaturityModel, user: AnyUser, *, prefill_from: Assessment | None
    ) -> Assessment:
        """A new draft, pre-filled by practice key (and with its delivery metrics) from an
        earlier assessment; raises DraftUnderWay while the team has one. Locks the team
        row, so two members who start at once get one draft (six queries, seven when
        pre-filled)."""
        with transaction.atomic():
            lock_team(team.pk)
            under_way = cls.objects.drafts().filter(team=team).first()
            if under_way is not None:
                raise DraftUnderWay(under_way)
            return cls._create_draft(team, model, user, prefill_from)

    @classmethod
    def _create_draft(
        cls, team: Team, model: MaturityModel, user: AnyUser, prefill_from: Assessment | None
    ) -> Assessment:
        assessment = cls.objects.create(
            team=team, model=model, created_by_id=user.pk, prefilled_from=prefill_from
        )
        if prefill_from is not None:
            previous = {
                answer.practice.key: answer
                for answer in prefill_from.answers.select_related("practice").only(
                    "status", "note", "practice__key"
                )
            }
            practices = Practice.objects.filter(
                model=model, is_active=True, cell__category__is_active=True, key__in=previous
            ).only("pk", "key")
            Answer.objects.bulk_create(
                Answer(
                    assessment=assessment,
                    practice_id=practice.pk,
                    status=previous[practice.key].status,
                    note=previous[practice.key].note,
                    confirmed=False,
                )
                for practice in practices
            )
            measured = DeliveryMetrics.objects.filter(assessment=prefill_from).first()
            if measured is not None:
                DeliveryMetrics.objects.create(
                    assessment=assessment, confirmed=False, **measured.answers()
                )
        return assessment

    def new_since_prefill(self, practices: Iterable[PracticeNode]) -> set[int]:
        """Ids of the given practices that the assessment this one was pre-filled from did
        not answer: new in this version (answered_keys; none without a pre-fill)."""
        if self.prefilled_from_id is None:
            return set()
        known = answered_keys(self.prefilled_from_id)
        return {practice.id for practice in practices if practice.key not in known}

    def statuses(self) -> dict[int, str]:
        """Practice id -> status of every team answer (one query)."""
        return dict(self.answers.values_list("practice_id", "status"))

    def save_edits(
        self, user: AnyUser | None, edits: Sequence[Edit], *, confirm: Collection[int] = ()
    ) -> Outcome:
        """Write what the edits change (see edits.py): team answers, and the user's own.
        A team answer that changes is confirmed; `confirm` confirms the copied answers
        of those practices as they stand, but for those this save could not write.
        Locks the assessment, so saves are applied one after another and none can slip
        in after a submit or a discard (AlreadySubmitted, Discarded). At most eight
        queries, whatever the number of edits."""
        asked = {whose: {e.practice_id for e in edits if e.whose is whose} for whose in Whose}
        sources = {
            Whose.TEAM: self.answers.all(),
            Whose.MINE: self.member_answers.filter(user=user.pk if user else None),
        }
        with transaction.atomic():
            if not self._locked().is_draft:
                raise AlreadySubmitted
            stored: dict[tuple[int, Whose], Stored] = {}
            for whose, practice_ids in asked.items():
                if practice_ids:
                    rows = sources[whose].filter(practice_id__in=practice_ids)
                    for pk, status, note in rows.values_list("practice_id", "status", "note"):
                        stored[pk, whose] = Stored(status, note)
            outcome = decide(edits, stored)
            self._write(user, outcome.writes)
            unsettled = {c.practice_id for c in outcome.conflicts if c.whose is Whose.TEAM}
            unsettled |= {r.practice_id for r in outcome.refusals if r.whose is Whose.TEAM}
            if set(confirm) - unsettled:
                self.answers.filter(
                    practice_id__in=set(confirm) - unsettled, confirmed=False
                ).update(confirmed=True)
        return outcome

    def _write(self, user: AnyUser | None, writes: Mapping[tuple[int, Whose], Stored]) -> None:
        """Upsert the answers written, and delete those cleared to blank: an answer row
        always says something."""
        now, by = timezone.now(), user.pk if user is not None else None
        kept = {key: answer for key, answer in writes.items() if answer != BLANK}
        team = [(pk, answer) for (pk, whose), answer in kept.items() if whose is Whose.TEAM]
        mine = [(pk, answer) for (pk, whose), answer in kept.items() if whose is Whose.MINE]
        cleared = {
            whose: [pk for (pk, w), answer in writes.items() if w is whose and answer == BLANK]
            for whose in Whose
        }
        if cleared[Whose.TEAM]:
            self.answers.filter(practice_id__in=cleared[Whose.TEAM]).delete()
        if cleared[Whose.MINE]:
            self.member_answers.filter(user=by, practice_id__in=cleared[Whose.MINE]).delete()
        if team:
            Answer.objects.bulk_create(
                [
                    Answer(
                        assessment=self,
                        practice_id=pk,
                        status=answer.status,
                        note=answer.note,
                        confirmed=True,
                        updated_at=now,
                        updated_by_id=by,
                    )
                    for pk, answer in team
                ],
                update_conflicts=True,
                unique_fields=["assessment", "practice"],
                update_fields=["status", "note", "confirmed", "updated_at", "updated_by"],
            )
        if mine:
            if by is None:
                raise ValueError("A member's own answers need the member.")
            MemberAnswer.objects.bulk_create(
                [
                    MemberAnswer(
                        assessment=self,
                        practice_id=pk,
                        user_id=by,
                        status=answer.status,
                        note=answer.note,
                        updated_at=now,
                    )
                    for pk, answer in mine
                ],
                update_conflicts=True,
                unique_fields=["assessment", "practice", "user"],
                update_fields=["status", "note", "updated_at"],
            )

    def save_answers(
        self, entries: Iterable[tuple[int, str, str]], user: AnyUser | None = None
    ) -> Outcome:
        """Set team answers as (practice id, status, note), whatever they are now: what a
        script or the demo data does."""
        edits = [
            Edit(pk, Whose.TEAM, status=Sent(status), note=Sent(note))
            for pk, status, note in entries
        ]
        return self.save_edits(user, edits)

    def use_agreed_answers(self, user: AnyUser, practice_ids: Collection[int]) -> int:
        """Set the blank team answers among `practice_ids` on which two or more members
        voted all alike, with their notes; return how many were set (four queries)."""
        with transaction.atomic():
            if not self._locked().is_draft:
                raise AlreadySubmitted
            answered = set(  # a team note alone is the team's word too
                self.answers.filter(practice_id__in=practice_ids)
                .exclude(status="", note="")
                .values_list("practice_id", flat=True)
            )
            given: dict[int, list[tuple[str, str]]] = {}
            rows = self.votes_cast().filter(practice_id__in=practice_ids).exclude(status="")
            for pk, status, note in rows.values_list("practice_id", "status", "note"):
                given.setdefault(pk, []).append((status, note))
            agreed = {}
            for pk, votes in given.items():
                agreed_status = Votes.count(s for s, _ in votes).agreed_status
                if agreed_status is not None and pk not in answered:
                    note = agreement.agreed_notes((n for _, n in votes), NOTE_MAX_LENGTH)
                    agreed[pk, Whose.TEAM] = Stored(agreed_status, note)
            self._write(user, agreed)
        return len(agreed)

    def votes_cast(self) -> models.QuerySet[MemberAnswer]:
        """The own answers of the team's members: someone who left no longer has a say."""
        return _votes_cast(self.pk, self.team_id)

    def votes(self, on: Collection[int] | None = None) -> dict[int, Votes]:
        """Practice id -> the members' votes, for every practice (or those `on`) someone
        voted on (one query, counted by the database)."""
        if on is None:
            rows = VOTES.rows({ASSESSMENT_ID: self.pk, TEAM_ID: self.team_id})
        else:
            rows = list(_counted(self.votes_cast().filter(practice_id__in=on)))
        return agreement.votes_by_practice(rows)

    def rows_in(self, category: CategoryNode) -> PageRows:
        """What the category's questionnaire page shows of the draft, as read (one query;
        see answers_in): the same rows, the same page."""
        values: dict[int | str, int] = {
            ASSESSMENT_ID: self.pk,
            TEAM_ID: self.team_id,
            CATEGORY_ID: category.id,
        }
        return tuple(map(tuple, ANSWERS_AND_MEMBERS_IN.rows(values)))

    def review_rows(self) -> ReviewRows:
        """What the review shows of the draft, as read (one query; see answers_and_votes):
        the same rows, the same page."""
        values: dict[int | str, int] = {ASSESSMENT_ID: self.pk, TEAM_ID: self.team_id}
        return tuple(map(tuple, ANSWERS_AND_VOTES.rows(values)))

    def delivery_answers(self) -> dict[str, int | None]:
        """The delivery metrics given so far, metric -> answer (one query)."""
        found = DeliveryMetrics.objects.filter(assessment=self).first()
        return found.answers() if found else dict.fromkeys(dora.METRICS)

    def save_delivery(
        self,
        answers: Mapping[str, int | None],
        shown: Mapping[str, int | None] | None = None,
    ) -> list[tuple[str, int | None, int | None]]:
        """Store the delivery metrics, confirmed. With `shown`, the values the page was
        rendered with, only what the user changed is written, as on the questionnaire
        (edits.resolve): a metric a teammate changed meanwhile stays theirs and comes
        back as (metric, theirs, yours). Without it every metric is set (one left out
        is cleared). Locks the assessment: raises AlreadySubmitted or Discarded."""

        def text(value: int | None) -> str:
            return "" if value is None else str(value)

        with transaction.atomic():
            if not self._locked().is_draft:
                raise AlreadySubmitted
            stored = self.delivery_answers()
            values, conflicts = {}, []
            for metric in dora.METRICS:
                was = None if shown is None else text(shown.get(metric))
                kept, yours = resolve(Sent(text(answers.get(metric)), was), text(stored[metric]))
                values[metric] = int(kept) if kept else None
                if yours is not None:
                    conflicts.append((metric, stored[metric], answers.get(metric)))
            DeliveryMetrics.objects.update_or_create(
                assessment=self, defaults={**values, "confirmed": True}
            )
        return conflicts

    def answers_by_practice(self) -> dict[int, AnswerState]:
        """Practice id -> status, note and confirmation of every answer (one query)."""
        rows = ANSWER_STATES.rows({ASSESSMENT_ID: self.pk})
        return {pk: AnswerState(status, note, confirmed) for pk, status, note, confirmed in rows}

    def progress(self, tree: ModelTree, answers: Mapping[int, AnswerState]) -> Progress:
        """What of `tree` the answers cover, what is missing and what was copied and not
        yet confirmed, per category."""
        statuses = {practice_id: answer.status for practice_id, answer in answers.items()}
        unconfirmed = {pk for pk, answer in answers.items() if not answer.confirmed}
        return progress(tree, statuses, unconfirmed)

    def record_now(
        self,
        tree: ModelTree,
        answers: Mapping[int, AnswerState],
        submitted_by: AnyUser | None = None,
    ) -> tuple[dict[str, Any], list[scoring.Result]]:
        """The record as the answers, votes and delivery metrics stand now, scored over
        `tree`, and its results (reads the votes, the delivery metrics, the model's checks,
        the team, the model, the previous assessment and what apps above add to a record,
        records.SECTIONS: about seven queries)."""
        record, results = records.score_and_record(
            tree,
            answers,
            self.votes(),
            assessment_id=self.pk,
            team=(self.team.slug, self.team.name),
            model=(self.model.slug, self.model.version, self.model.name),
            submitted_at=self.submitted_at,
            submitted_by=submitted_by.get_username()
            if submitted_by is not None and submitted_by.is_authenticated
            else None,
            previous=self.previous(),
            delivery=self.delivery_answers(),
            checks=checks_of(self.model_id),
        )
        record.update(records.sections_of(self.team_id))
        return record, results

    def previous(self) -> records.Earlier | None:
        """The team's counted assessment submitted before this one (or, for a draft,
        its latest), with its scores (one query, which leaves its record unread)."""
        earlier = Assessment.objects.submitted().filter(team_id=self.team_id).exclude(pk=self.pk)
        if self.submitted_at is not None:
            earlier = earlier.filter(submitted_at__lt=self.submitted_at)
        latest = earlier.order_by("-submitted_at", "-pk").values("pk")[:1]
        rows = list(
            Assessment.objects.filter(pk=Subquery(latest))
            .order_by("results__category__order", "results__category_id")
            .values_list("pk", "submitted_at", "results__category__slug", "results__score")
        )
        if not rows or rows[0][1] is None:
            return None
        scores = {slug: score for _, _, slug, score in rows if slug is not None}
        return records.Earlier(rows[0][0], rows[0][1], scores)

    def submit(
        self, user: AnyUser | None = None, *, at: datetime | None = None
    ) -> list[scoring.Result]:
        """Freeze the scores and the record and mark the assessment submitted (`at`, by
        default now; demo data dates its history), or raise Incomplete or
        AlreadySubmitted. Locks the row, so concurrent submits, discards and saves see
        one outcome.

        Answers to practices retired while this was a draft are dropped: they were not
        part of what was scored, and a result shows only what it was scored on."""
        with transaction.atomic():
            lock_team(self.team_id)  # for mark_latest, before any assessment's row
            if not self._locked().is_draft:
                raise AlreadySubmitted
            tree = load_tree(self.model_id)
            answers = self.answers_by_practice()
            gaps = progress(tree, {pk: answer.status for pk, answer in answers.items()}).gaps
            if gaps:
                raise Incomplete(gaps)
            retired = answers.keys() - {practice.id for practice in tree.practices}
            if retired:
                self.answers.filter(practice_id__in=retired).delete()
            self.submitted_at = at or timezone.now()
            self.submitted_by_id = user.pk if user is not None else None
            self.record, results = self.record_now(tree, answers, user)
            self.overall = scoring.overall(result.score for result in results)
            CategoryResult.objects.bulk_create(
                CategoryResult(assessment=self, **row._asdict())
                for row in records.result_rows(tree, results, self.record)
            )
            self.save(update_fields=["submitted_at", "submitted_by", "record", "overall"])
            Assessment.objects.mark_latest(self.team_id, self.model_id)
        return results

    def _locked(self) -> Assessment:
        """This assessment's row as committed now, locked until the transaction ends;
        raises Discarded when a teammate's discard removed it meanwhile."""
        locked = Assessment.objects.select_for_update().filter(pk=self.pk).first()
        if locked is None:
            raise Discarded
        return locked

    def discard(self) -> None:
        """Delete a draft for good, with its answers; raise AlreadySubmitted when it was
        submitted meanwhile. Locks the row and re-checks it, so a discard and a submit
        at the same moment cannot both happen."""
        with transaction.atomic():
            locked = self._locked()
            if not locked.is_draft:
                raise AlreadySubmitted
            locked.delete()

    def void(self, user: AnyUser, reason: str) -> None:
        """Leave a submitted assessment out of every score, trend and list, keeping it in
        the team's history with the reason. Locks the row and re-checks its state."""
        with transaction.atomic():
            lock_team(self.team_id)  # for mark_latest, before any assessment's row
            locked = self._locked()
            if locked.is_draft:
                raise NotSubmitted
            if locked.is_voided:
                raise AlreadyVoided
            self.voided_at, self.voided_by_id, self.void_reason = timezone.now(), user.pk, reason
            self.is_latest = False  # in the same write: latest_assessment_is_counted
            self.save(update_fields=["voided_at", "voided_by", "void_reason", "is_latest"])
            Assessment.objects.mark_latest(self.team_id, self.model_id)

    def tree(self) -> ModelTree:
        """The model's tree as it is now (four queries): its active practices for a draft;
        for a submitted assessment the retired ones too, so every answered practice is in
        it."""
        return load_tree(self.model_id, include_retired=not self.is_draft)


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(
        max_length=6, choices=Status.choices, blank=True, help_text="Empty: not answered yet."
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    confirmed = models.BooleanField(
        default=True,
        help_text="False for an answer copied from the last assessment until a member "
        "confirms or changes it.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "practice"], name="unique_answer_per_practice"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["", *Status.values]),
                name="answer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice}: {self.get_status_display()}"


class MemberAnswer(models.Model):
    """One member's own answer to a practice: a vote, shown as a count, never by name."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="member_answers"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=6, choices=Status.choices, blank=True, help_text="Empty: not answered yet."
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "practice", "user"], name="unique_member_answer"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["", *Status.values]),
                name="member_answer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice} ({self.user_id}): {self.get_status_display()}"


ORDINAL = models.PositiveSmallIntegerField  # DORA's Quick Check answer: 1 (worst) to 6 (best)


class DeliveryMetrics(AdvancesGeneration):
    """What the team achieves, on DORA's Quick Check (dora.py): optional, one per
    assessment, pre-filled from the last one like the answers. Its writes advance the data
    generation: a draft's pages keep whether it is confirmed (assessments/access.py)."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="delivery", primary_key=True
    )
    lead_time = ORDINAL(null=True, blank=True)
    deployment_frequency = ORDINAL(null=True, blank=True)
    recovery_time = ORDINAL(null=True, blank=True)
    change_fail_rate = models.PositiveSmallIntegerField(null=True, blank=True, help_text="%")
    rework_rate = models.PositiveSmallIntegerField(null=True, blank=True, help_text="%")
    confirmed = models.BooleanField(
        default=True,
        help_text="False for metrics copied from the last assessment until a member saves "
        "the outcomes page.",
    )

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "delivery metrics"
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 6}),
                    name=f"delivery_{name}_1_to_6",
                )
                for name in dora.THROUGHPUT
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": 100}),
                    name=f"delivery_{name}_percent",
                )
                for name in dora.PERCENTAGES
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery metrics of {self.assessment_id}"

    def answers(self) -> dict[str, int | None]:
        return {metric: getattr(self, metric) for metric in dora.METRICS}


class CategoryResultQuerySet(models.QuerySet["CategoryResult"]):
    def in_category_order(self) -> CategoryResultQuerySet:
        return self.select_related("category").order_by("category__order", "category_id")


class CategoryResult(models.Model):
    """A category's level and score, frozen when the assessment is submitted; both empty
    when the category was not scored."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="results")
    level = models.SmallIntegerField(null=True, blank=True, help_text="Empty: not scored.")
    score = models.FloatField(
        null=True, blank=True, help_text="Empty: not scored (every practice not applicable)."
    )
    agreement = models.FloatField(
        null=True, blank=True, help_text="Share of practices with 2+ votes the members agree on."
    )

    objects = CategoryResultQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"], name="unique_result_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.score:.1f}"
