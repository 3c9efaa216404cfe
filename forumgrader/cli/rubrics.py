"""`forumgrader rubrics`: list the shipped rubrics, check rubric files, and move rubrics to and from Canvas."""

from __future__ import annotations

from pathlib import Path

import click

from forumgrader.grading import (
    Rubric,
    RubricError,
    load_rubric,
    parse_rubric,
    rubric_text,
    rubric_to_canvas_csv,
    rubric_to_toml,
    rubrics_from_canvas_csv,
    shipped_rubrics,
)
from forumgrader.grading.describe import summary as not_assessed_summary
from forumgrader.grading.measures import MEASURES
from forumgrader.grading.scores import points_text


def rubric_option(name_or_path: str) -> Rubric:
    """Load a rubric for a command, turning its problems into one message for the user."""
    try:
        return load_rubric(name_or_path)
    except RubricError as error:
        raise click.ClickException(str(error)) from None


@click.group("rubrics")
def rubrics() -> None:
    """Rubric files: the shipped ones, checking your own, Canvas rubric CSV both ways (schema: rubrics/README.md)."""


@rubrics.command("list")
def list_rubrics() -> None:
    """List the rubrics shipped with forumgrader (use their names with --rubric)."""
    for name in shipped_rubrics():
        rubric = load_rubric(name)
        click.echo(f"{name:24} {points_text(rubric.possible):>4} points  {len(rubric.criteria):>2} criteria  "
                   f"{rubric.title}")  # fmt: skip


@rubrics.command("measures")
def list_measures() -> None:
    """List the measures a rubric's conditions can use, with their parameters."""
    for name, measure in sorted(MEASURES.items()):
        params = ", ".join(f"{key} = {param.default!r}" for key, param in measure.params.items())
        click.echo(f"{name} ({measure.scope.value}{'; ' + params if params else ''})\n    {measure.help}")


@rubrics.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Check rubric files; every problem is named by file, criterion and key. Exit 1 if any file has one.

    A file that reads well is listed with, for each criterion that can be not assessed, when and what it then gives.
    """
    problems = []
    for path in files:
        try:
            rubric = parse_rubric(rubric_text(path), str(path))
        except RubricError as error:
            problems.extend(error.problems)
            continue
        click.echo(f"{path}: ok: {rubric.title}, {len(rubric.criteria)} criteria, {points_text(rubric.possible)} "
                   "points")  # fmt: skip
        for line in not_assessed_summary(rubric):
            click.echo(f"  {line}")
    if problems:
        raise click.ClickException("\n".join(problems))


@rubrics.command("to-canvas")
@click.argument("rubric")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The CSV file to write (Canvas: Rubrics > Import).")  # fmt: skip
def to_canvas(rubric: str, output: Path) -> None:
    """Write RUBRIC (a shipped name or a file) as a Canvas rubric CSV; conditions stay behind."""
    found = rubric_option(rubric)
    output.write_text(rubric_to_canvas_csv(found), encoding="utf-8")
    click.echo(f"wrote {output}: {len(found.criteria)} criteria, {points_text(found.possible)} points")


@rubrics.command("from-canvas")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The rubric file to write (.toml).")  # fmt: skip
@click.option("--name", "rubric_name", help="Which rubric to take when the CSV holds several (its Rubric Name).")
def from_canvas(csv_file: Path, output: Path, rubric_name: str | None) -> None:
    """Turn a Canvas rubric CSV into a rubric file whose criteria are manual until you add conditions."""
    try:
        every = rubrics_from_canvas_csv(rubric_text(csv_file), csv_file.name)
    except RubricError as error:
        raise click.ClickException(str(error)) from None
    found = [r for r in every if rubric_name is None or r.title == rubric_name]
    if len(found) != 1:
        titles = ", ".join(repr(r.title) for r in every)
        raise click.ClickException(f"{csv_file.name} holds the rubrics {titles}: choose one with --name")
    text = (f"# Imported from {csv_file.name}. Every criterion is manual (marked by the instructor) until you give\n"
            "# its levels `when` conditions and remove `manual = true`; see rubrics/README.md.\n"
            + rubric_to_toml(found[0]))  # fmt: skip
    try:
        parse_rubric(text, str(output))
    except RubricError as error:
        raise click.ClickException(f"{csv_file.name} cannot become a rubric file as it stands:\n{error}") from None
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}: {found[0].title}, {len(found[0].criteria)} criteria")


commands = [rubrics]
