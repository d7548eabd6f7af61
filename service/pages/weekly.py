"""Veckans lägesbild (web app): every area of a week side by side, its CSV, and a coordinator's assessments."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.area import Area
from domain.assessment import LEVELS, Assessment, assessment_id
from domain.errors import Invalid
from domain.limits import SUMMARY_MAX
from domain.weeks import parse_week, shift_week, week_of
from projections.picture import queries as picture_queries
from projections.tenancy import tenant_connection
from service import commands
from service.api.params import MinPosition
from service.api.picture import weekly_table
from service.audit.recording import recorded
from service.errors import AlreadyExists, NotFound, StaleVersion
from service.exports.weekly_pdf import weekly_pdf_response
from service.pages.refusals import refusal, text_error
from service.pages.rendering import page
from service.pages.session import saw
from service.store.appends import AppendResult
from service.store.event_store import AggregateNotFound
from service.web.context import Context
from service.web.projection_progress import read_your_writes
from service.web.query_params import declared_query_only
from service.words import EFFECT_WORDS, NO_LEVEL, TRENDS, category_names
from service.words import LEVELS as LEVEL_WORDS

STALE = (
    "Någon annan har ändrat bedömningen sedan du öppnade sidan. Den sparade versionen visas nedan; "
    "jämför med din text och skicka igen för att ersätta den."
)
FIELDS = {"level": ("niva", "nivå"), "summary": ("sammanfattning", "sammanfattning")}
"""The use cases' field -> the form's field id and its name in words."""


def _week(week: str, this_week: str) -> str:
    """The week of the path; one that is not a week, or has not begun, has no page (404)."""
    try:
        parse_week("week", week)
    except Invalid:
        raise NotFound("no such week") from None
    if week > this_week:
        raise NotFound("the week has not begun")
    return week


async def _assessment(context: Context, area_id: UUID, week: str) -> Assessment | None:
    """The area's assessment of the week as the store has it now (drafts are not in the read model)."""
    try:
        found = await context.store.load(assessment_id(context.identity.tenant, area_id, week))
    except AggregateNotFound:
        return None
    return found if isinstance(found, Assessment) else None


async def _weekly_page(
    request: Request[Any, Any, Any], context: Context, week: str, min_position: int | None
) -> Template:
    await read_your_writes(context.tracker, "picture", min_position)
    this_week = week_of(context.now)
    week, tenant = _week(week, this_week), context.identity.tenant
    async with tenant_connection(context.pool, tenant) as conn:
        found = await picture_queries.weekly(conn, tenant, week)
    coordinator = "coordinator" in context.identity.roles
    drafts = {}
    if coordinator:
        for area in found["areas"]:
            assessment = await _assessment(context, UUID(area["area"]["id"]), week)
            drafts[area["area"]["id"]] = assessment.draft if assessment else None
    return page(
        request,
        "weekly.html",
        title="Veckans lägesbild",
        weekly=found,
        coordinator=coordinator,
        drafts=drafts,
        previous=shift_week(week, -1),
        next=shift_week(week, 1) if week < this_week else None,
        levels=LEVEL_WORDS,
        no_level=NO_LEVEL,
        trends=TRENDS,
        effects=EFFECT_WORDS,
        categories=await category_names(context),
    )


@get("/lagesbild", name="weekly_now", middleware=[recorded("lagesbild")], guards=[declared_query_only])
async def weekly_now(request: Request[Any, Any, Any], context: Context, min_position: MinPosition) -> Template:
    """The lägesbild of the current week (the same query as the API's GET /api/v1/lagesbild/{week})."""
    return await _weekly_page(request, context, week_of(context.now), min_position)


@get("/lagesbild/{week:str}", name="weekly", middleware=[recorded("lagesbild")], guards=[declared_query_only])
async def weekly(
    request: Request[Any, Any, Any], context: Context, week: FromPath[str], min_position: MinPosition
) -> Template:
    """A week's lägesbild, with links to the week before and after."""
    return await _weekly_page(request, context, week, min_position)


@get("/lagesbild/{week:str}/{fmt:str}", middleware=[recorded("lagesbild")], guards=[declared_query_only])
async def weekly_download(context: Context, week: FromPath[str], fmt: FromPath[str]) -> Response[Any]:
    """The week's lägesbild as a file (`csv`, `xlsx` or `pdf`): the API's own, every cell safe to open."""
    if fmt not in ("csv", "xlsx", "pdf"):
        raise NotFound("no such file")
    week, tenant = _week(week, week_of(context.now)), context.identity.tenant
    async with tenant_connection(context.pool, tenant) as conn:
        found = await picture_queries.weekly(conn, tenant, week)
    if fmt == "pdf":
        return await weekly_pdf_response(found, context)
    return weekly_table("xlsx" if fmt == "xlsx" else "csv", week, found)


def _form(
    request: Request[Any, Any, Any],
    area: Area,
    week: str,
    assessment: Assessment | None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The draft form: what the caller typed, else the draft, else the published assessment to start from."""
    saved = (assessment.draft or assessment.published) if assessment else None
    shown = values or {"level": (saved or {}).get("level", ""), "summary": (saved or {}).get("summary", "")}
    title, published = f"Bedömning av {area.name}, vecka {week}", assessment.published if assessment else None
    return page(
        request,
        "assessment_form.html",
        title=f"Fel: {title}" if errors else title,
        heading=title,
        area=area,
        week=week,
        values=shown,
        errors=errors or {},
        version=assessment.version if assessment else 0,
        stale=STALE if status_code == 409 else None,
        saved=saved,
        published=published,
        level_choices=[(level, LEVEL_WORDS[level]) for level in LEVELS],
        levels=LEVEL_WORDS,
        status_code=status_code,
    )


async def _area(context: Context, area_id: UUID) -> Area:
    context.identity.require("coordinator")
    area: Area = await context.areas.get(area_id, context.identity.tenant)
    return area


@get("/lagesbild/{week:str}/omraden/{area_id:uuid}", middleware=[recorded("lagesbild")], guards=[declared_query_only])
async def assessment_form(
    request: Request[Any, Any, Any], context: Context, week: FromPath[str], area_id: FromPath[UUID]
) -> Template:
    """A coordinator drafts the area's assessment of the week (Nivå, Sammanfattning), then publishes it."""
    area = await _area(context, area_id)
    week = _week(week, week_of(context.now))
    return _form(request, area, week, await _assessment(context, area_id, week))


@post("/lagesbild/{week:str}/omraden/{area_id:uuid}", status_code=303)
async def save_assessment(
    request: Request[Any, Any, Any], context: Context, week: FromPath[str], area_id: FromPath[UUID]
) -> Response[Any]:
    """Spara utkast or Publicera, with the version the form was loaded at: a change meanwhile is refused (409)."""
    area = await _area(context, area_id)
    week = _week(week, week_of(context.now))
    form = await request.form()
    values = {"level": str(form.get("level") or ""), "summary": str(form.get("summary") or "")}
    publish = form.get("handling") == "publicera"
    errors = {} if values["level"] in LEVELS else {"niva": "Välj en nivå"}
    if message := text_error(values["summary"], "sammanfattning", SUMMARY_MAX):
        errors["sammanfattning"] = message
    if errors:
        return _form(request, area, week, await _assessment(context, area_id, week), values, errors, 400)
    try:
        version = int(str(form.get("version") or "0"))
        result = await _save(context, area_id, week, values, version, publish)
    except (ValueError, StaleVersion, AlreadyExists):
        return _form(request, area, week, await _assessment(context, area_id, week), values, None, 409)
    except Invalid as error:
        field_id, what = FIELDS.get(error.field, ("sammanfattning", "sammanfattning"))
        said = "Utkastet säger redan detta: ändra något, eller publicera det" if "already" in error.problem else None
        errors = {field_id: said or refusal(error, what)}
        return _form(request, area, week, await _assessment(context, area_id, week), values, errors, 400)
    saw(request, result.position)
    return Redirect(f"/lagesbild/{week}?min_position={result.position}", status_code=303)


async def _save(
    context: Context, area_id: UUID, week: str, values: dict[str, str], version: int, publish: bool
) -> AppendResult:
    """The API's use cases: the first draft is created, later ones change it; publishing appends in the same go."""
    identity = context.identity
    actor, level, summary = identity.actor, values["level"], values["summary"]
    if version == 0:
        if await _assessment(context, area_id, week) is not None:
            raise StaleVersion("someone started this assessment meanwhile")
        draft = Assessment.start(actor, area_id, week, level, summary)
        if publish:
            draft.publish(actor)
        return await commands.create(context.store, draft, identity, None)

    def decide(assessment: Assessment) -> None:
        unchanged = assessment.draft is not None and (assessment.draft["level"], assessment.draft["summary"]) == (
            level,
            summary.strip(),
        )
        if not (publish and unchanged):
            assessment.save_draft(actor, level, summary)
        if publish:
            assessment.publish(actor)

    the_id = assessment_id(identity.tenant, area_id, week)
    return await commands.change(context.store, Assessment, the_id, identity.tenant, version, decide)
