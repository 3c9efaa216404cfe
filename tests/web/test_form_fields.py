"""Form fields tell screen readers the truth: aria-invalid only on a field with an error, described by its help."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from .conftest import World

Client = Callable[[str], FlaskClient]


def attributes_of(page: str, field_id: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', page)
    assert found, f"no field {field_id}"
    return found.group(0)


def test_fields_without_errors_carry_no_aria_invalid(client_as: Client, world: World) -> None:
    for address in (f"/courses/{world.course_a}/import", "/courses/new"):
        page = client_as("instructor").get(address).get_data(as_text=True)
        assert "None" not in " ".join(re.findall(r'aria-[a-z]+="[^"]*"', page)), address
    page = client_as("anonymous").get("/login").get_data(as_text=True)
    assert "aria-invalid" not in page and 'aria-describedby="None"' not in page


def test_a_field_with_an_error_is_invalid_and_described_by_its_error(client_as: Client, world: World) -> None:
    page = client_as("instructor").post("/courses/new", data={"name": ""}).get_data(as_text=True)
    name = attributes_of(page, "name")
    assert 'aria-invalid="true"' in name
    assert 'aria-describedby="name-help name-errors"' in name
    assert 'id="name-errors"' in page


def test_the_import_form_describes_each_field_by_its_help(client_as: Client, world: World) -> None:
    page = client_as("instructor").get(f"/courses/{world.course_a}/import").get_data(as_text=True)
    assert 'aria-describedby="timezone-help"' in attributes_of(page, "timezone")
    assert "aria-invalid" not in attributes_of(page, "timezone")
