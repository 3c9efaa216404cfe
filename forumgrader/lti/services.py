"""LTI Advantage services, called by the tool on its own (no one launching): the roster (NRPS 2.0) and the
gradebook (AGS 2.0). The one adapter for them: pylti1p3's and requests' errors become ServiceFailed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy.orm import Session

from forumgrader.lti.deeplinking import line_item_resource_id
from forumgrader.lti.roster import RosterMember, from_nrps
from forumgrader.lti.tool import registration
from forumgrader.store.models import LtiContext, LtiPlatform

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
TIMEOUT_SECONDS = 30


class ServiceFailed(Exception):
    """The LMS's roster or gradebook could not be used; str() says why and what to do."""


@dataclass(frozen=True, slots=True)
class Score:
    """One student's score for a line item."""

    lti_user_id: str
    points: float
    possible: float
    comment: str
    pending: bool  # provisional: sent as gradingProgress PendingManual


class _Session(requests.Session):
    """requests with a timeout on every call: a slow LMS fails the job instead of holding its worker forever."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


@contextmanager
def _failures(doing: str) -> Iterator[None]:
    try:
        yield
    except LtiServiceException as error:
        status = error.response.status_code
        hint = " (the LMS refused forumgrader's key or scopes: check the registration)" if status in {401, 403} else ""
        raise ServiceFailed(f"The LMS answered HTTP {status} while {doing}{hint}.") from error
    except requests.RequestException as error:
        raise ServiceFailed(f"The LMS could not be reached while {doing}: {type(error).__name__}.") from error
    except (LtiException, ValueError, KeyError) as error:
        raise ServiceFailed(f"The LMS's answer while {doing} could not be used: {error}.") from error


def _connector(session: Session, config: Mapping[str, Any], platform: LtiPlatform) -> ServiceConnector:
    return ServiceConnector(registration(session, config, platform), _Session())


def roster(
    session: Session, config: Mapping[str, Any], platform: LtiPlatform, context: LtiContext
) -> list[RosterMember]:
    """Fetch an LMS course's people, every page, through NRPS."""
    if not context.memberships_url:
        raise ServiceFailed("This LMS course gave no roster service: enable Names and Role Provisioning for the tool.")
    service = NamesRolesProvisioningService(
        _connector(session, config, platform), {"context_memberships_url": context.memberships_url}
    )
    with _failures("reading the course's roster"):
        members = service.get_members()
    return [found for member in members if (found := from_nrps(member, platform.lms)) is not None]


class Gradebook:
    """One LMS course's gradebook through AGS: line items found or made by resourceId, scores posted."""

    def __init__(self, session: Session, config: Mapping[str, Any], platform: LtiPlatform, context: LtiContext):
        if not context.lineitems_url:
            raise ServiceFailed(
                "This LMS course gave no gradebook service: enable Assignment and Grade Services for the tool, "
                "then open forumgrader from the course once."
            )
        data = {"scope": list(context.ags_scopes), "lineitems": context.lineitems_url}
        self._service = AssignmentsGradesService(_connector(session, config, platform), data)
        if SCORE_SCOPE not in context.ags_scopes:
            raise ServiceFailed("This LMS did not let forumgrader post scores (the AGS score scope is missing).")

    def line_item(self, topic_id: int, label: str, points: float) -> str:
        """Return the address of the topic's line item: the one with its resourceId, else a new one."""
        wanted = LineItem().set_resource_id(line_item_resource_id(topic_id)).set_tag("forumgrader")
        wanted = wanted.set_label(label).set_score_maximum(points)
        with _failures("finding or creating the topic's gradebook column"):
            found = self._service.find_or_create_lineitem(wanted, find_by="resource_id")
        url = found.get_id()
        if not url:
            raise ServiceFailed("The LMS created the gradebook column but did not say where it is.")
        return str(url)

    def post(self, line_item_url: str, score: Score, *, at: datetime) -> None:
        """Post one score, with its comment, stamped `at` (AGS wants each later score to have a later timestamp)."""
        grade = (
            Grade()
            .set_score_given(score.points)
            .set_score_maximum(score.possible)
            .set_activity_progress("Completed")
            .set_grading_progress("PendingManual" if score.pending else "FullyGraded")
            .set_timestamp(at.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
            .set_user_id(score.lti_user_id)
        )
        if score.comment:
            grade.set_comment(score.comment)
        with _failures("posting a score"):
            self._service.put_grade(grade, LineItem({"id": line_item_url}))
