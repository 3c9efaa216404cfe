"""Reference lists as people write them: no entry is lost or glued to another, whatever the layout."""

from __future__ import annotations

import textwrap

import pytest

from forumgrader.citations import analyse

SPRATT = "Spratt NJ, Ferguson JR. Thrombosis of the brain. J Stroke. 2015;12(3):45-67."
LUNA = "Luna, A. (2020). Sleep and stress. Sleep Review, 12(3), 45-67."
ODD = "Weird notes on sleep compiled by the sleep lab without a date"
SALAS = "Salas, E., & D'Agostino, P. (2019). Teams under pressure. American Psychologist, 74(2), 100-110."


def _texts(text: str) -> list[str]:
    return [r.text for r in analyse(text).references]


@pytest.mark.parametrize("number", ["{}.", "[{}]", "{})", "({})", "{}. ", "[{}] ", "{}) ", "({}) "])
@pytest.mark.parametrize("between", ["\n", "\n\n"])
def test_a_numbered_entry_opens_its_own_entry_even_without_a_space(number: str, between: str) -> None:
    entries = [LUNA, SPRATT, SALAS]
    listed = between.join(number.format(i) + entry for i, entry in enumerate(entries, 1))
    assert _texts(f"Sleep matters (Luna, 2020).\n\nReferences\n{listed}\n") == entries


def test_an_entry_the_reader_cannot_read_does_not_end_the_list() -> None:
    for between in ("\n", "\n\n"):
        text = f"Sleep (Luna, 2020).\n\nReferences\n{LUNA}{between}{ODD}{between}{SALAS}\n"
        assert _texts(text) == [LUNA, ODD, SALAS]
        report = analyse(text)
        assert [f.reference for f in report.findings if f.code == "unreadable_reference"] == [1]


@pytest.mark.parametrize(
    "after", ["\n\nThanks,\nMaria", "\nThanks, Maria", "\n\nWhat do you all think? I found this useful in my work."]
)
def test_the_list_ends_at_prose_that_is_no_reference(after: str) -> None:
    assert _texts(f"Sleep (Luna, 2020).\n\nReferences\n{LUNA}\n{SALAS}{after}\n") == [LUNA, SALAS]


def test_the_list_ends_at_another_heading() -> None:
    text = f"Sleep (Luna, 2020).\n\nReferences\n{LUNA}\n\n## Discussion questions\n\nWhat helps sleep most?\n"
    assert _texts(text) == [LUNA]


def test_notes_under_entries_are_not_entries_and_lose_none() -> None:
    note = "I found this article useful because it shows how we sleep less when we are under stress at work."
    text = f"Sleep (Luna, 2020).\n\nReferences\n\n{LUNA}\n\n{note}\n\n{SALAS}\n\n{note}\n"
    assert _texts(text) == [LUNA, SALAS]


def test_wrapped_entries_with_a_hanging_indent_are_joined() -> None:
    wrapped = (
        "Luna, A. (2020). Sleep and stress: A long title that goes on\n"
        "    and on. Sleep Review, 12(3), 45-67.\n"
        "Salas, E., & D'Agostino, P. (2019). Teams under pressure.\n"
        "    American Psychologist, 74(2), 100-110.\n"
    )
    assert [r.fields.container for r in analyse(f"Sleep (Luna, 2020).\n\nReferences\n{wrapped}").references] == [
        "Sleep Review",
        "American Psychologist",
    ]


def test_a_numbered_list_follows_citation_order_and_is_not_checked_for_alphabetical_order() -> None:
    listed = f"1. {SALAS}\n2. {LUNA}\n"
    report = analyse(f"Teams (Salas & D'Agostino, 2019) sleep (Luna, 2020).\n\nReferences\n{listed}")
    assert [r.fields.authors[0].family for r in report.references] == ["Salas", "Luna"]
    assert "reference_order" not in [f.code for f in report.findings]
    unnumbered = analyse(f"Teams (Salas & D'Agostino, 2019) sleep (Luna, 2020).\n\nReferences\n{SALAS}\n{LUNA}\n")
    assert "reference_order" in [f.code for f in unnumbered.findings]


# Wrapped lines with nothing between entries (no blank line, number or indent), as a PDF or a word processor leaves
# them: an entry opens where a line was ended before the wrap, or where names open a line and a date follows.
IEEE = (
    "S. Abiteboul and V. Vianu. Datalog extensions for database queries and updates. J. Computer and System "
    "Sciences, 43, 62-124, 1991."
)
HARVARD = (
    "Hadley, A., and A. Desrochers. 2008. Winter habitat use by boreal chickadee flocks in a managed forest. The "
    "Wilson Journal of Ornithology 120: 139-145"
)
FRENCH = (
    "ROBIN Régine, L'écriture flâneuse, dans SIMAY Philippe (dir.), Capitales de la modernité, Paris, Éd. de "
    "l'Éclat, 2005"
)
CHICAGO = "Luce, J. V. 1964. The Date of the Cratylus. The American Journal of Philology 85: 136-154."


@pytest.mark.parametrize("width", [60, 72, 84])
def test_wrapped_entries_with_nothing_between_them_are_told_apart(width: int) -> None:
    entries = [HARVARD, IEEE, FRENCH, CHICAGO, LUNA]
    listed = "\n".join(textwrap.fill(e, width, break_on_hyphens=False) for e in entries)
    assert [" ".join(t.split()) for t in _texts(f"Sleep (Luna, 2020).\n\nReferences\n{listed}\n")] == entries


def test_entries_one_a_line_of_much_the_same_length_are_not_read_as_wrapped_lines() -> None:
    entries = [
        "Schock, M.R., 1990. Causes of temporal variability of Pb in home plumbing. Environmental Monitoring, 15: 59.",
        "Glorieux, Palémon. 1935. La littérature quodlibétique de 1260 à 1320. Paris: Revue des sciences théologiques.",
        "DeWitt, D. J., 'DIRECT: A multiprocessor organization for database machines,' IEEE Trans. Computers, 1979.",
        "Bradford Local History Association 2005 Governor Simcoe Slept Here. West Gwillimbury, Bradford, Ontario.",
        "Uriagereka, Juan (1999). 'Multiple spell-out', in Working minimalism. Cambridge, MA: MIT Press, 251-282.",
    ]
    assert _texts("Sleep (Luna, 2020).\n\nReferences\n" + "\n".join(entries) + "\n") == entries


def test_a_wrapped_entry_whose_lines_end_at_initials_stays_whole() -> None:
    entry = (
        "Aagaard, B. T., Graves, R. W., Rodgers, A., Brocher, T. M., Simpson, R. W., Dreger, D., Petersson, N. A., "
        "Larsen, S. C., Ma, S., and Jachens, R. C. (2010). Ground-motion modeling of Hayward fault scenario "
        "earthquakes. Bulletin of the Seismological Society of America, 100(6), 2945-2977."
    )
    listed = textwrap.fill(entry, 72)
    assert [" ".join(t.split()) for t in _texts(f"Quakes (Aagaard et al., 2010).\n\nReferences\n{listed}\n")] == [entry]
