"""The task file format: one critical-task analysis per YAML file.

These models are the single definition of the format (with their building blocks in
parts.py and the checks at a step's field in field_checks.py). The JSON Schema in
`tasks/task.schema.json` is generated from them (`epss schema`), the importer validates
with them, and a published TaskVersion stores exactly `TaskDocument.model_dump(mode="json")`.
Field order here is the field order of exported files.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from epss.i18n import Message
from epss.taskfile.field_checks import FieldCheck
from epss.taskfile.fingerprint import FieldFingerprint
from epss.taskfile.parts import (
    FieldPath,
    Line,
    Part,
    RequiredText,
    ServiceDate,
    Slug,
    SourceDate,
    Text,
)

DEFAULT_REVIEW_INTERVAL = 12  # months
MAX_DEVIATION_REASONS = 8
# A reason to deviate, as the desk chooses it: short enough to read at a glance.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Criticality(StrEnum):
    """How much harm a mistake in this task can do. Critical tasks need a second person
    to publish a change."""

    critical = "critical"
    high = "high"
    normal = "normal"


class Source(Part):
    """A public source the guidance is based on. Steps refer to it by `id`."""

    ADDED_LATER: ClassVar[dict[str, object]] = {"section": None, "date": None}

    id: Slug = Field(title="Id", description="Short name that steps use to refer to this source.")
    title: Line = Field(title="Titel", description="Title of the page or document.")
    publisher: Line | None = Field(
        default=None, title="Uitgever", description="Who published it, e.g. RvIG."
    )
    section: Line | None = Field(
        default=None,
        title="Artikel of paragraaf",
        description="The article or section the guidance rests on, e.g. 'art. 1:19e lid 7'.",
    )
    date: SourceDate | None = Field(
        default=None,
        title="Datum",
        description="The date or version of the source, or the date it was consulted (JJJJ-MM-DD).",
    )
    url: Line | None = Field(
        default=None, title="Adres (URL)", description="Where to find it, when public."
    )

    @field_serializer("date")
    def _date_as_text(self, value: dt.date | None) -> str | None:
        # Always text (YYYY-MM-DD), so a source fits a JSON column as it is.
        return value.isoformat() if value else None


class Branch(Part):
    """A decision point: if the condition holds, continue at another step or task."""

    when: Line = Field(
        alias="if", title="Als", description="The situation, in the words of the desk."
    )
    step: Slug | None = Field(
        default=None, title="Naar stap", description="Continue at this step of this task."
    )
    task: Slug | None = Field(
        default=None, title="Naar taak", description="Continue with this other task."
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_destination(self) -> Branch:
        if (self.step is None) == (self.task is None):
            raise ValueError("geef precies één plek om verder te gaan: een stap of een taak")
        return self


class Step(Part):
    """One step of the task, as the desk sees it in the help panel."""

    ADDED_LATER: ClassVar[dict[str, object]] = {
        "estimated_minutes": None,
        "field_tip": None,
        "field_checks": [],
        "target_fingerprint": None,
    }

    id: Slug = Field(
        title="Id", description="Stable name of the step within the task; never reuse it."
    )
    title: Line = Field(title="Titel", description="What to do, as a short imperative.")
    mandatory: bool = Field(
        default=True,
        title="Verplicht",
        description="True when the step is required by law or regulation; false for advice.",
    )
    instruction: RequiredText = Field(
        min_length=1, title="Instructie", description="How to do it (Markdown)."
    )
    why: Text = Field(default="", title="Waarom", description="Why this step matters.")
    warning: Text = Field(
        default="", title="Let op", description="What goes wrong here, what to watch out for."
    )
    check: Text = Field(
        default="", title="Goed gedaan als", description="How you know the step is done right."
    )
    estimated_minutes: int | None = Field(
        default=None,
        ge=1,
        le=480,
        title="Geschatte duur (minuten)",
        description="About how long the step takes at the desk, in minutes.",
    )
    branches: list[Branch] = Field(
        default_factory=list, title="Beslispunten", description="Decision points."
    )
    target: list[Line] = Field(
        default_factory=list,
        title="Veld in het zaaksysteem",
        description="CSS selectors of the field in the case software this step is about; "
        "the first one found on the page is highlighted.",
    )
    target_fingerprint: FieldFingerprint | None = Field(
        default=None,
        title="Kenmerken van het veld",
        description="What the field looked like when it was picked; the panel finds it by "
        "these when its selectors no longer find it, or find something else.",
    )
    field_tip: Line | None = Field(
        default=None,
        title="Tip bij het veld",
        description="A short tip shown next to the step's field (its target) while the step "
        "is open in the panel.",
    )
    field_checks: list[FieldCheck] = Field(
        default_factory=list,
        max_length=4,
        title="Controles bij het veld",
        description="Checks on what is typed in the step's field, run only in the browser; "
        "each kind at most once.",
    )
    sources: list[Slug] = Field(
        default_factory=list,
        title="Bronnen",
        description="Ids of the task's sources this step is based on.",
    )

    @field_validator("field_checks")
    @classmethod
    def _each_kind_once(cls, checks: list[FieldCheck]) -> list[FieldCheck]:
        kinds = [check.kind for check in checks]
        if len(set(kinds)) < len(kinds):
            raise ValueError("elke soort controle mag maar één keer voorkomen")
        return checks

    @model_validator(mode="after")
    def _field_help_has_a_field(self) -> Step:
        if (self.field_tip or self.field_checks or self.target_fingerprint) and not self.target:
            raise ValueError(
                "een tip, controle of kenmerken bij het veld hebben een veld nodig: vul 'Veld "
                "in het zaaksysteem' in"
            )
        return self


class ContextRule(Part):
    """When a screen of a host application shows this task. Every condition given must
    hold; at least one of url, title, markers or zaaktype is required."""

    app: Slug = Field(
        title="Zaaksysteem", description="Id of the host application (case software)."
    )
    url: Line | None = Field(
        default=None,
        title="Adrespatroon",
        description="URL path pattern: '/zaken/:id' or '/zaken/*' match one segment, "
        "a trailing '/**' matches the rest. Query strings are ignored. The segment ':zaak' "
        "also tells the help panel which case is on screen (it keeps ticks per case).",
    )
    title: Line | None = Field(
        default=None,
        title="Titel bevat",
        description="Text that the page title contains (case-insensitive).",
    )
    markers: list[Line] = Field(
        default_factory=list,
        title="Markeringen",
        description="CSS selectors that must all be present on the page.",
    )
    zaaktype: Line | None = Field(
        default=None, title="Zaaktype", description="The zaaktype identificatie the page reports."
    )
    priority: int = Field(
        default=0, ge=-100, le=100, title="Prioriteit", description="Higher wins on a tie."
    )
    start_step: Slug | None = Field(
        default=None, title="Begin bij stap", description="Step to open first."
    )

    @field_validator("url")
    @classmethod
    def _url_is_a_path_pattern(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith("/"):
            raise ValueError("een adrespatroon begint met '/', bijvoorbeeld /zaken/:id")
        if "?" in value or "#" in value:
            raise ValueError("een adrespatroon heeft geen '?' of '#'")
        if "**" in value.rstrip("/").removesuffix("/**"):
            raise ValueError("'**' mag alleen aan het eind staan, als '/**'")
        return value

    @model_validator(mode="after")
    def _has_a_condition(self) -> ContextRule:
        if not (self.url or self.title or self.markers or self.zaaktype):
            raise ValueError(
                "een contextregel heeft minstens een adres, een titel, een markering "
                "of een zaaktype nodig"
            )
        return self


class TaskDocument(Part):
    """A critical-task analysis: the task, the standard it must meet, and its steps."""

    ADDED_LATER: ClassVar[dict[str, object]] = {
        "review_interval_months": DEFAULT_REVIEW_INTERVAL,
        "checked_on": None,
        "deviation_reasons": [],
    }

    slug: Slug = Field(
        title="Id", description="Stable id of the task, used in URLs and context rules."
    )
    title: Line = Field(title="Titel", description="Name of the task as the desk knows it.")
    domain: Slug = Field(title="Domein", description="Work domain, e.g. burgerzaken.")
    goal: RequiredText = Field(
        min_length=1, title="Doel", description="The result the task serves."
    )
    trigger: Text = Field(default="", title="Aanleiding", description="When the task happens.")
    standard: Text = Field(default="", title="Norm", description="What good looks like.")
    criticality: Criticality = Field(default=Criticality.normal, title="Risico")
    owner: Line = Field(
        title="Eigenaar", description="Who answers for this guidance (a role or team)."
    )
    review_by: ServiceDate = Field(
        title="Controle vóór", description="Date by which the guidance must be checked again."
    )
    review_interval_months: int = Field(
        default=DEFAULT_REVIEW_INTERVAL,
        ge=1,
        le=60,
        title="Controle-interval (maanden)",
        description="Months between reviews: confirming the guidance as still correct sets "
        "review_by this far ahead. Left out of files (and of content hashes) when it is 12.",
    )
    checked_on: ServiceDate | None = Field(
        default=None,
        title="Laatst gecontroleerd op",
        description="The date the content was last checked against its "
        "sources ('laatst gecontroleerd op').",
    )
    tags: list[Line] = Field(
        default_factory=list, title="Trefwoorden", description="Words people search with."
    )
    zaaktypen: list[Line] = Field(
        default_factory=list,
        title="Zaaktypen",
        description="Zaaktype identificaties this task belongs to.",
    )
    deviation_reasons: list[Reason] = Field(
        default_factory=list,
        max_length=MAX_DEVIATION_REASONS,
        title="Redenen om af te wijken",
        description="What the desk chooses from when it deviates from a step, besides "
        "'anders' (in its own words); each reason once.",
    )
    sources: list[Source] = Field(default_factory=list, title="Bronnen")
    context_rules: list[ContextRule] = Field(default_factory=list, title="Contextregels")
    steps: list[Step] = Field(min_length=1, title="Stappen")

    @field_validator("deviation_reasons")
    @classmethod
    def _reasons_once(cls, reasons: list[str]) -> list[str]:
        seen: set[str] = set()
        for reason in reasons:
            if reason.casefold() == "anders":
                raise ValueError(Message("‘anders’ biedt het hulppaneel zelf al aan"))
            if reason.casefold() in seen:
                raise ValueError(Message("‘{reason}’ staat er twee keer in", reason=reason))
            seen.add(reason.casefold())
        return reasons

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> TaskDocument:
        if info.context and info.context.get("defer_reference_check"):
            return self
        problems = self.reference_problems()
        if problems:
            raise ValueError("; ".join(str(message) for _, message in problems))
        return self

    def reference_problems(self) -> list[tuple[FieldPath, Message]]:
        """Ids used twice and references to steps or sources that do not exist,
        each with the path of the field that holds it."""
        problems: list[tuple[FieldPath, Message]] = []
        step_ids = _unique_ids("steps", [s.id for s in self.steps], problems)
        source_ids = _unique_ids("sources", [s.id for s in self.sources], problems)
        for n, step in enumerate(self.steps):
            for k, ref in enumerate(step.sources):
                if ref not in source_ids:
                    problems.append(
                        (
                            ("steps", n, "sources", k),
                            Message(
                                "noemt de bron '{ref}', maar die staat niet in de bronnen "
                                "van de taak",
                                ref=ref,
                            ),
                        )
                    )
            for k, branch in enumerate(step.branches):
                if branch.step is not None and branch.step not in step_ids:
                    problems.append(
                        (
                            ("steps", n, "branches", k, "step"),
                            Message(
                                "gaat verder bij de stap '{step}', maar die heeft deze taak niet",
                                step=branch.step,
                            ),
                        )
                    )
        for n, rule in enumerate(self.context_rules):
            if rule.start_step is not None and rule.start_step not in step_ids:
                problems.append(
                    (
                        ("context_rules", n, "start_step"),
                        Message(
                            "begint bij de stap '{step}', maar die heeft deze taak niet",
                            step=rule.start_step,
                        ),
                    )
                )
        return problems

    def linked_tasks(self) -> set[str]:
        """Slugs of other tasks that decision branches lead to."""
        return {b.task for s in self.steps for b in s.branches if b.task is not None}


def _unique_ids(what: str, ids: list[str], problems: list[tuple[FieldPath, Message]]) -> set[str]:
    seen: set[str] = set()
    for n, value in enumerate(ids):
        if value in seen:
            problems.append(
                (
                    (what, n, "id"),
                    Message(
                        "het id '{value}' komt twee keer voor; elk id mag maar één keer voorkomen",
                        value=value,
                    ),
                )
            )
        seen.add(value)
    return seen


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a task file, for editors that validate while typing."""
    schema = TaskDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://epss.example/task.schema.json"
    return schema
