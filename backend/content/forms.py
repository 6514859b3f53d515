"""Editor forms: which fields each content type has, and form data <-> ``*Create`` data.

Form values are kept as the editor typed them, so a validation error re-renders the form with
everything still filled in and the problem next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from starlette.datastructures import FormData

from backend.content.models import (
    BudgetStatus,
    EventKind,
    ExpertKind,
    OrganisationKind,
    SchemeKind,
)
from backend.content.views import AMSTERDAM
from backend.core.i18n import N_


@dataclass(frozen=True)
class FormField:
    name: str
    label: str  # English message id, translated in the template
    widget: str = "input"  # input | textarea | select | checkboxes | checkbox | list | lines
    input_type: str = "text"
    options: str | None = None  # see routes_editor.field_options
    hint: str | None = None
    rows: int = 4
    required: bool = False
    group: str | None = None  # "en": the optional English fieldset


TITLE = FormField("title", N_("Title"), required=True)
SLUG = FormField("slug", N_("Web address (slug)"),
                 hint=N_("Lowercase letters, digits and hyphens. Leave empty to make one from "
                         "the title."))
SUMMARY = FormField("summary", N_("Summary"), "textarea", rows=3,
                    hint=N_("One or two sentences; shown in lists and search results."))
BODY = FormField("body_md", N_("Text"), "textarea", rows=16,
                 hint=N_("Markdown: **bold**, *italic*, [link](https://…), lists with - and "
                         "headings with ##. HTML is not allowed."))
# The English translation, optional: pages in the English UI show it where present.
ENGLISH = (
    FormField("title_en", N_("Title in English"), group="en"),
    FormField("summary_en", N_("Summary in English"), "textarea", rows=3, group="en"),
    FormField("body_md_en", N_("Text in English"), "textarea", rows=12, group="en",
              hint=N_("A faithful translation of the Dutch text: the same facts and figures. "
                      "Leave empty when there is none; the English page then shows the Dutch "
                      "text with a notice.")),
)
ENGLISH_SCHEME = (
    FormField("terms_note_en", N_("Note on the terms in English"), "textarea", rows=3,
              group="en"),
)
TAXONOMY = (
    FormField("themes", N_("Themes"), "checkboxes", options="themes"),
    FormField("sectors", N_("Sectors"), "checkboxes", options="sectors"),
    FormField("regions", N_("Regions"), "checkboxes", options="regions"),
    FormField("company_sizes", N_("Company sizes"), "checkboxes", options="sizes"),
    FormField("organisations", N_("Organisations mentioned"), "checkboxes",
              options="organisations"),
    FormField("related", N_("Related items"), "lines", rows=4,
              hint=N_("One per line, as type:slug (for example scheme:wbso) or a slug.")),
)
SOURCE = (
    FormField("source_title", N_("Source: title"),
              hint=N_("The document or page this item is based on.")),
    FormField("source_section", N_("Source: section or page")),
    FormField("source_document", N_("Source: document reference")),
    FormField("source_url", N_("Source: web address"), input_type="url"),
    FormField("is_example", N_("This is an example, not real content"), "checkbox"),
    FormField("lang", N_("Language"), "select", options="lang"),
)

TYPE_FIELDS: dict[str, tuple[FormField, ...]] = {
    "practice": (),
    "case_study": (),
    "qa": (),
    "organisation": (
        FormField("kind", N_("Kind of organisation"), "select", options="organisation_kind"),
        FormField("website", N_("Website"), input_type="url"),
    ),
    "expert": (
        FormField("kind", N_("Person or organisation"), "select", options="expert_kind"),
        FormField("organisation", N_("Organisation"), "select", options="organisation"),
        FormField("role", N_("Role or position")),
        FormField("languages", N_("Languages"), "list",
                  hint=N_("Language codes separated by commas, for example: nl, en")),
        FormField("website", N_("Website"), input_type="url"),
        FormField("email", N_("Public e-mail address"), input_type="email",
                  hint=N_("Only contact data that is already public.")),
        FormField("phone", N_("Public phone number"), input_type="tel"),
    ),
    "event": (
        FormField("kind", N_("Kind of event"), "select", options="event_kind"),
        FormField("starts_at", N_("Starts at"), input_type="datetime-local", required=True),
        FormField("ends_at", N_("Ends at"), input_type="datetime-local"),
        FormField("online", N_("Online"), "checkbox"),
        FormField("place", N_("Place")),
        FormField("organiser", N_("Organiser"), "select", options="organisation"),
        FormField("organiser_name", N_("Organiser (if not in the list)")),
        FormField("registration_url", N_("Registration link"), input_type="url"),
    ),
    "scheme": (
        FormField("kind", N_("Kind of scheme"), "select", options="scheme_kind"),
        FormField("provider", N_("Provider"), "select", options="organisation"),
        FormField("budget_status", N_("Budget status"), "select", options="budget_status"),
        FormField("funding_rate", N_("Funding rate in percent"), input_type="number"),
        FormField("min_amount", N_("Minimum amount in euros"), input_type="number"),
        FormField("max_amount", N_("Maximum amount in euros"), input_type="number"),
        FormField("opens_on", N_("Opens on"), input_type="date"),
        FormField("closes_on", N_("Closes on"), input_type="date"),
        FormField("first_come_first_served", N_("First come, first served"), "checkbox"),
        FormField("cost_kinds", N_("Eligible costs"), "list",
                  hint=N_("Codes separated by commas, for example: investering, advies")),
        FormField("term_sources", N_("Terms with their sources"), "terms", rows=6,
                  hint=N_("One term per line: year | term | value | web address of the page "
                          "it comes from | date you checked it against that page (YYYY-MM-DD; "
                          "leave empty if you did not). The check date shown on the page "
                          "follows from these lines. Optionally add | term in English | value "
                          "in English.")),
        FormField("terms_note", N_("Note on the terms"), "textarea", rows=3),
    ),
}


def fields_for(type_: str) -> list[FormField]:
    english = (*ENGLISH, *ENGLISH_SCHEME) if type_ == "scheme" else ENGLISH
    return [TITLE, SLUG, SUMMARY, BODY, *TYPE_FIELDS[type_], *TAXONOMY, *SOURCE, *english]


def labels_for(type_: str) -> dict[str, str]:
    return {f.name: f.label for f in fields_for(type_)}


def choices(kind: str) -> list[str]:
    literal = {"organisation_kind": OrganisationKind, "expert_kind": ExpertKind,
               "event_kind": EventKind, "scheme_kind": SchemeKind,
               "budget_status": BudgetStatus}[kind]
    return list(get_args(literal))


def _split(value: str, pattern: str) -> list[str]:
    return [v.strip() for v in re.split(pattern, value or "") if v.strip()]


def parse(form: FormData | Mapping[str, Any], type_: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data for the create model, raw values to show again)."""
    data: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    def getlist(key: str) -> list[Any]:
        if isinstance(form, FormData):
            return form.getlist(key)
        value = form.get(key)
        return list(value) if isinstance(value, list | tuple) else []

    for f in fields_for(type_):
        if f.widget == "checkboxes":
            values = [str(v) for v in getlist(f.name)]
            data[f.name] = raw[f.name] = values
        elif f.widget == "checkbox":
            data[f.name] = raw[f.name] = f.name in form
        else:
            text = str(form.get(f.name) or "")
            raw[f.name] = text
            if f.widget == "terms":
                data[f.name] = parse_terms(text)
            elif f.widget == "list":
                data[f.name] = _split(text, r"[,\n]")
            elif f.widget == "lines":
                data[f.name] = _split(text, r"[\n,]")
            elif f.name == "slug":
                data[f.name] = text.strip() or None
            elif f.input_type == "number":
                # Dutch decimals use a comma; thousands separators are dropped.
                number = text.strip().replace(".", "") if "," in text else text.strip()
                data[f.name] = number.replace(",", ".")
            else:
                data[f.name] = text
    return data, raw


TERM_KEYS = ("year", "term", "value", "source_url", "checked_on", "term_en", "value_en")
_REQUIRED_TERM_KEYS = 5  # the English label and value may be left off a line


def parse_terms(text: str) -> list[dict[str, Any]]:
    """'year | term | value | url | checked_on' lines as ``TermSource`` data (validated by
    the create model, which names the line and the part that is wrong)."""
    out: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (len(TERM_KEYS) - len(parts))
        entry: dict[str, Any] = dict(zip(TERM_KEYS, parts[:len(TERM_KEYS)], strict=True))
        for key in ("checked_on", "term_en", "value_en"):
            entry[key] = entry[key] or None
        out.append(entry)
    return out


def format_terms(values: list[Any]) -> str:
    lines = []
    for v in values:
        d = v if isinstance(v, Mapping) else v.model_dump(mode="json")
        parts = [str(d.get(k) or "") for k in TERM_KEYS]
        while len(parts) > _REQUIRED_TERM_KEYS and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _local(value: Any) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(AMSTERDAM)
    return moment.strftime("%Y-%m-%dT%H:%M")


def values_from_data(data: Mapping[str, Any], type_: str) -> dict[str, Any]:
    """Stored data (``ItemView.data()`` or a snapshot) as form values."""
    out: dict[str, Any] = {}
    for f in fields_for(type_):
        value = data.get(f.name)
        if f.widget in ("checkboxes",):
            out[f.name] = list(value or [])
        elif f.widget == "checkbox":
            out[f.name] = bool(value)
        elif f.widget == "terms":
            out[f.name] = format_terms(value or [])
        elif f.widget == "list":
            out[f.name] = ", ".join(value or [])
        elif f.widget == "lines":
            out[f.name] = "\n".join(value or [])
        elif f.input_type == "datetime-local":
            out[f.name] = _local(value)
        elif value is None:
            out[f.name] = ""
        elif isinstance(value, float) and value.is_integer():
            out[f.name] = str(int(value))
        else:
            out[f.name] = str(value)
    return out
