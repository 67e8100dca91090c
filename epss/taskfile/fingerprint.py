"""What a step's field looked like when it was picked (a step's `target_fingerprint`): several
signals, so the help panel finds the field again after a release of the case software
renamed, moved or reworded it (overlay_js/src/locate.js scores the page's elements on them)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, model_validator

from epss.taskfile.parts import Line, Part

Word = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
DataName = Annotated[str, StringConstraints(pattern=r"^data-[a-z0-9-]{1,40}$")]

# The signals that tell one field from another; the others only add to a match.
NAMING_SIGNALS = ("id", "name", "label", "aria_label", "placeholder", "text", "data")


class FieldFingerprint(Part):
    """The signals of one element of the case software, as the browser saw them. Each is
    optional; at least one names the field (id, name, label, ARIA label, placeholder,
    text or a data attribute)."""

    ADDED_LATER: ClassVar[dict[str, object]] = dict.fromkeys(
        ("type", "id", "name", "label", "aria_label", "role", "placeholder", "text", "heading"),
        None,
    ) | {"data": {}, "position": None}

    tag: Word = Field(title="Soort element", description="The element's tag, e.g. input.")
    type: Word | None = Field(default=None, title="Type", description="An input's type.")
    id: Line | None = Field(default=None, title="Id-attribuut")
    name: Line | None = Field(default=None, title="Naam-attribuut")
    label: Line | None = Field(
        default=None, title="Labeltekst", description="The text of the field's label."
    )
    aria_label: Line | None = Field(
        default=None, title="ARIA-label", description="aria-label or the text it points to."
    )
    role: Word | None = Field(default=None, title="Rol", description="Its ARIA role.")
    placeholder: Line | None = Field(default=None, title="Voorbeeldtekst")
    text: Line | None = Field(
        default=None, title="Tekst", description="The text of a button or a link."
    )
    heading: Line | None = Field(
        default=None,
        title="Kop erboven",
        description="The legend of its fieldset, or the heading of its section.",
    )
    data: dict[DataName, Line] = Field(
        default_factory=dict,
        max_length=5,
        title="Data-attributen",
        description="Up to five data-* attributes and their values.",
    )
    position: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        title="Positie",
        description="Its place among the elements of its kind in its form (1 is the first).",
    )

    @model_validator(mode="after")
    def _names_the_field(self) -> FieldFingerprint:
        if not any(getattr(self, name) for name in NAMING_SIGNALS):
            raise ValueError(
                "kenmerken van een veld hebben een id, naam, label, ARIA-label, voorbeeldtekst, "
                "tekst of data-attribuut nodig"
            )
        return self
