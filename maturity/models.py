"""The maturity model: levels x categories = cells, each cell holding practices.

Several models (and versions of one model) can live side by side. Anything that
assessments point at is protected from deletion by those references
(`on_delete=PROTECT` on the assessment side); retiring with `is_active=False`
hides a category or practice from new questionnaires instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .checks import Metric, threshold_problem
from .generation import AdvancesGeneration, AdvancingQuerySet
from .limits import (
    CATEGORY_SLUG_LENGTH,
    CHECK_KEY_LENGTH,
    CHECK_MESSAGE_LENGTH,
    KEY_LENGTH,
    KEY_PATTERN,
    LEVEL_NAME_LENGTH,
    LEVEL_VALUE_MAX,
    LEVEL_VALUE_MIN,
    MODEL_SLUG_LENGTH,
    NAME_LENGTH,
    VERSION_LENGTH,
)

practice_key_validator = RegexValidator(
    KEY_PATTERN,
    "Use lowercase letters, digits, hyphens and dots, e.g. build.0.versioned-scripts.",
    code="invalid_key",
)


class MaturityModelQuerySet(AdvancingQuerySet["MaturityModel"]):
    def active(self) -> MaturityModelQuerySet:
        """Models that admins have switched on."""
        return self.filter(is_active=True)

    def ready(self) -> MaturityModelQuerySet:
        """Active models a team can be assessed on: at least two levels, and a practice
        to answer in an active category."""
        answerable = Practice.objects.filter(
            model=OuterRef("pk"), is_active=True, cell__category__is_active=True
        )
        return (
            self.active()
            .annotate(level_count=models.Count("levels"))
            .filter(level_count__gte=2)
            .filter(Exists(answerable))
        )

    def default(self) -> MaturityModel | None:
        """The model new assessments, the plan, the API's scores and the scale data use
        when none is named: the newest ready one (one query)."""
        return self.ready().order_by("-pk").first()


class MaturityModel(AdvancesGeneration):
    name = models.CharField(max_length=NAME_LENGTH)
    slug = models.SlugField(
        max_length=MODEL_SLUG_LENGTH, help_text="Identifies the model across versions."
    )
    version = models.CharField(
        max_length=VERSION_LENGTH, help_text='A label such as "1" or "2026.1"; unique per slug.'
    )
    description = models.TextField(blank=True, help_text="Shown to teams; credit the authors.")
    is_active = models.BooleanField(
        default=True, help_text="Only active models can be chosen for new assessments."
    )

    objects = MaturityModelQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="unique_model_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def floor_value(self) -> int | None:
        """The lowest level value, where teams start (one query); None without levels."""
        return self.levels.aggregate(floor=models.Min("value"))["floor"]


class Level(AdvancesGeneration):
    model = models.ForeignKey(MaturityModel, on_delete=models.CASCADE, related_name="levels")
    value = models.SmallIntegerField(
        help_text="Orders the levels; the lowest is the floor and holds no practices."
    )
    name = models.CharField(max_length=LEVEL_NAME_LENGTH)
    description = models.TextField(blank=True)

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        ordering = ["model", "value"]
        constraints = [
            models.UniqueConstraint(fields=["model", "value"], name="unique_level_value_per_model"),
            models.CheckConstraint(
                condition=Q(value__gte=LEVEL_VALUE_MIN) & Q(value__lte=LEVEL_VALUE_MAX),
                name="level_value_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.name}"


class Category(AdvancesGeneration):
    model = models.ForeignKey(MaturityModel, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(
        max_length=CATEGORY_SLUG_LENGTH, help_text="Appears in questionnaire URLs."
    )
    name = models.CharField(max_length=NAME_LENGTH)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Smaller comes first.")
    is_active = models.BooleanField(
        default=True, help_text="Retired categories are left out of new questionnaires."
    )

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        ordering = ["model", "order", "id"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "slug"], name="unique_category_slug_per_model"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Cell(AdvancesGeneration):
    """One stage of one category: what it looks like and how to get there."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="cells")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="cells")
    summary = models.TextField(help_text="What a team at this stage looks like.")
    advice = models.TextField(
        blank=True, help_text="How to reach this stage from the one below: the next step."
    )

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "level"], name="unique_cell_per_category_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} / {self.level}"

    def clean(self) -> None:
        """The level must belong to the category's model, and every level above the floor
        needs its advice, the next step (reads the level, category and floor)."""
        if not (self.category_id and self.level_id):
            return
        if self.level.model_id != self.category.model_id:
            raise ValidationError(
                {"level": "Choose a level of the same maturity model as the category."},
                code="level_of_other_model",
            )
        if not self.advice.strip() and self.level.value != self.level.model.floor_value():
            raise ValidationError(
                {"advice": "Say how to reach this level: it is the next step teams see."},
                code="advice_required",
            )


class Practice(AdvancesGeneration):
    """A yes/no statement that a team answers about itself."""

    # Denormalised from cell.category.model so the key can be unique per model.
    model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="practices", editable=False
    )
    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="practices")
    key = models.CharField(
        max_length=KEY_LENGTH,
        validators=[practice_key_validator],
        help_text="Stable identifier, unique within the model; answers carry over by key.",
    )
    text = models.TextField(help_text="A statement a team can answer yes or no.")
    help = models.TextField(blank=True, help_text="Optional: what counts as yes, an example.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Smaller comes first.")
    is_active = models.BooleanField(
        default=True, help_text="Retired practices are left out of new questionnaires."
    )

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_practice_key_per_model"),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: object, **kwargs: object) -> None:
        self.model_id = self.cell.category.model_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        """Refuse a floor cell or a key taken in the model (reads cell, level, model, keys)."""
        if not self.cell_id:
            return
        level = self.cell.level
        if level.value == level.model.floor_value():
            raise ValidationError(
                {"cell": f"{level.name} is the lowest level: it holds no practices."},
                code="practice_at_floor",
            )
        # The model column is not on the admin forms, so Django's own unique check skips it.
        taken = Practice.objects.filter(model_id=level.model_id, key=self.key).exclude(pk=self.pk)
        if self.key and taken.exists():
            raise ValidationError(
                {"key": f"The key {self.key} is already used in this model."}, code="duplicate_key"
            )


class Check(AdvancesGeneration):
    """A claim-versus-outcome rule: a category at `level_at_least` or above whose team's
    delivery metric is worse than `worse_than` gets the message, a question (see
    maturity/checks.py, which also reads them for other apps)."""

    model = models.ForeignKey(MaturityModel, on_delete=models.CASCADE, related_name="checks")
    key = models.SlugField(
        max_length=CHECK_KEY_LENGTH, help_text="Stable identifier, unique within the model."
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="checks")
    level_at_least = models.SmallIntegerField(
        help_text="Fires only when the category's level is this one or higher."
    )
    metric = models.CharField(max_length=30, choices=Metric.choices)
    worse_than = models.FloatField(
        help_text="Fires when the metric is worse than this: for lead time, deployment "
        "frequency and recovery time an answer option 1..6 (fires below it); for change "
        "fail rate and rework rate a percentage 0..100 (fires above it)."
    )
    message = models.TextField(
        max_length=CHECK_MESSAGE_LENGTH,
        validators=[MaxLengthValidator(CHECK_MESSAGE_LENGTH)],
        help_text="A question to the team, shown on its result when the check fires.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Smaller comes first.")

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_check_key_per_model"),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        """The category and level must be the model's, and the threshold in range for the
        metric (reads the category and the model's levels)."""
        errors: dict[str, str] = {}
        if self.model_id and self.category_id and self.category.model_id != self.model_id:
            errors["category"] = "Choose a category of this maturity model."
        if self.model_id and self.level_at_least is not None:
            values = sorted(
                Level.objects.filter(model_id=self.model_id)
                .order_by()
                .values_list("value", flat=True)
            )
            if self.level_at_least not in values:
                known = ", ".join(map(str, values)) or "none yet"
                errors["level_at_least"] = (
                    f"Level {self.level_at_least} is not one of the model's levels ({known})."
                )
        if self.metric in Metric.values and self.worse_than is not None:
            problem = threshold_problem(self.metric, self.worse_than)
            if problem:
                errors["worse_than"] = problem[0].upper() + problem[1:] + "."
        if errors:
            raise ValidationError(errors, code="invalid_check")
