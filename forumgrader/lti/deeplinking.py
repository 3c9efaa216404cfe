"""Deep Linking 2.0: an instructor picks what to place in the course (a topic's dashboard, the self-check), and the
tool answers the platform with a signed list of LTI resource links, each with its custom parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session

from forumgrader.lti.claims import DEEP_LINKING
from forumgrader.lti.launches import Launched, LaunchRefused, reopen
from forumgrader.store.db import Database


class View(StrEnum):
    """What a placed link opens."""

    DASHBOARD = "dashboard"  # staff: the topic's dashboard (students: the self-check)
    SELF_CHECK = "selfcheck"  # everyone: the self-check


@dataclass(frozen=True, slots=True)
class Placement:
    """One link to place in the course."""

    view: View
    title: str
    topic_id: int | None = None
    points: float | None = None  # a dashboard link's gradebook column, when the topic has points


def line_item_resource_id(topic_id: int) -> str:
    """Return the AGS resourceId of a topic's line item (deep linking and grade sync find it by this)."""
    return f"forumgrader-topic-{topic_id}"


def _resource(placement: Placement, launch_url: str) -> DeepLinkResource:
    custom = {"view": placement.view.value} | ({"topic": str(placement.topic_id)} if placement.topic_id else {})
    resource = DeepLinkResource().set_url(launch_url).set_title(placement.title).set_custom_params(custom)
    if placement.view is View.DASHBOARD and placement.topic_id and placement.points:
        item = LineItem().set_label(placement.title).set_score_maximum(placement.points)
        resource.set_lineitem(item.set_resource_id(line_item_resource_id(placement.topic_id)).set_tag("forumgrader"))
    return resource


@dataclass(frozen=True, slots=True)
class DeepLinkAnswer:
    """The form to post back to the platform: where, and the signed JWT."""

    return_url: str
    jwt: str


def reopen_deep_link(
    session: Session, database: Database, config: Mapping[str, Any], launch_id: str
) -> tuple[Any, Launched]:
    """Find a deep-linking launch again by its id (pylti1p3's, ours), or refuse one that does not place content."""
    launch, launched = reopen(session, database, config, launch_id)
    if not launched.launch.deep_linking:
        raise LaunchRefused("This launch does not place content: open the LMS's tool picker again.")
    return launch, launched


def answer(launch: Any, launched: Launched, placements: Sequence[Placement], launch_url: str) -> DeepLinkAnswer:
    """Sign the Deep Linking response for a launch `reopen_deep_link` found, placing these links."""
    try:
        deep_link = launch.get_deep_link()
        jwt = deep_link.get_response_jwt([_resource(placement, launch_url) for placement in placements])
        settings = launched.body.get(DEEP_LINKING) or {}
    except LtiException as error:
        raise LaunchRefused(f"The placement cannot be signed: {error}.") from error
    return DeepLinkAnswer(str(settings.get("deep_link_return_url") or ""), str(jwt))
