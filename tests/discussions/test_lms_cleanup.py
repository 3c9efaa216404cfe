"""Text cleanup: HTML becomes text a reader would see, with every form of LMS residue gone."""

from __future__ import annotations

import pytest

from forumgrader.discussions.cleanup import clean_html, html_to_text, render_body, strip_lms_residue, word_count
from forumgrader.discussions.model import BodyFormat

# A reference as Canvas renders an external link in a page, copied back into the editor.
CANVAS_LINK = (
    '<a class="external" href="https://doi.org/10.1176/appi.focus.20220082" target="_blank">'
    "<span>https://doi.org/10.1176/appi.focus.20220082</span>"
    '<span class="ui-icon ui-icon-extlink ui-icon-inline" title="Links to an external site." aria-hidden="true"></span>'
    '<span class="screenreader-only">&nbsp;(Links to an external site.)</span></a>'
)


def test_paragraphs_and_line_breaks_survive() -> None:
    html = (
        "<p>First paragraph with <strong>bold</strong> and <em>italic</em>\n text.</p>"
        "<p>Second paragraph,<br>with a line break.</p>"
        "<h3>References</h3>"
        "<p>Engel, G. L. (1977). The need for a new medical model. <em>Science, 196</em>(4286), 129-136.</p>"
        "<p>Malhotra, S., &amp; Sahoo, A. (2017). Rebuilding the brain with psychotherapy.</p>"
    )
    assert html_to_text(html) == (
        "First paragraph with bold and italic text.\n\n"
        "Second paragraph,\nwith a line break.\n\n"
        "References\n\n"
        "Engel, G. L. (1977). The need for a new medical model. Science, 196(4286), 129-136.\n\n"
        "Malhotra, S., & Sahoo, A. (2017). Rebuilding the brain with psychotherapy."
    )


def test_a_reference_list_in_one_paragraph_keeps_one_entry_a_line() -> None:
    html = "<p>References<br>Engel, G. L. (1977). Title. <i>Science</i>.<br/>Jesus, V. (2022). Who's the boss?</p>"
    lines = html_to_text(html).split("\n")
    assert lines == ["References", "Engel, G. L. (1977). Title. Science.", "Jesus, V. (2022). Who's the boss?"]


def test_lists_and_tables_become_lines() -> None:
    html = (
        "<ul><li>Ader, R. (1995).</li><li>Cohen, S. (2007).</li></ul>"
        '<ol start="3"><li>third</li><li>fourth</li></ol>'
        "<table><tr><th>Source</th><th>Year</th></tr><tr><td>Engel</td><td>1977</td></tr></table>"
    )
    assert (
        html_to_text(html)
        == "- Ader, R. (1995).\n- Cohen, S. (2007).\n\n3. third\n4. fourth\n\nSource\tYear\nEngel\t1977"
    )


def test_scripts_styles_comments_and_canvas_decoration_are_dropped() -> None:
    html = f"<style>p {{color: red}}</style><script>alert(1)</script><!-- note --><p>See {CANVAS_LINK} now.</p>"
    assert html_to_text(html) == "See https://doi.org/10.1176/appi.focus.20220082 now."


def test_entities_and_non_breaking_spaces_are_decoded() -> None:
    assert (
        html_to_text("<p>Smid&nbsp;et&nbsp;al. &amp; Boelen &#8211; 2018 &eacute;</p>")
        == "Smid et al. & Boelen – 2018 é"
    )
    # a browser shows "&nbsp; " as two spaces, and so do we
    assert html_to_text("<p>adolescents.&nbsp; Focus</p>") == "adolescents.  Focus"


def test_full_documents_and_text_without_tags() -> None:
    assert html_to_text("<html><head><title>Draft</title></head><body><p>Body</p></body></html>") == "Body"
    assert html_to_text("just words") == "just words"
    assert html_to_text("") == html_to_text("   ") == ""


def test_preformatted_text_keeps_its_spacing() -> None:
    assert html_to_text("<pre>  indented\n    more</pre>") == "  indented\n    more"


@pytest.mark.parametrize(
    ("copied", "clean"),
    [
        ("Guidelines (Links to an external site.)", "Guidelines"),
        ("Guidelines\u00a0(Links to an external site.)", "Guidelines"),
        (
            "https://www.frankfurter.app/docs/#currenciesLinks to an external site.",
            "https://www.frankfurter.app/docs/#currencies",
        ),
        ("functionLinks to an external site..", "function."),
        (r"Guidelines \(Links to an external site.\)", "Guidelines"),
        (
            "https://doi.org/10.4103/psychiatry.IndianJPsychiatry_50_21Links to an external site.",
            "https://doi.org/10.4103/psychiatry.IndianJPsychiatry_50_21",
        ),
        ("Psychology78(2), 155–174. to an external site.", "Psychology78(2), 155–174."),
        ("Psychology78(2), 155–174. to an external site. \nNext entry", "Psychology78(2), 155–174.\nNext entry"),
        (
            "Indian Journal of  Psychiatry, 59(4), 411-419. Http:// to an external site.",
            "Indian Journal of  Psychiatry, 59(4), 411-419. Http://",
        ),
        ("Reviews, 95, 61– to an external site.", "Reviews, 95, 61–"),
        ("to an external site.", ""),
    ],
)
def test_every_form_of_the_canvas_external_link_residue_is_removed(copied: str, clean: str) -> None:
    assert strip_lms_residue(copied) == clean


@pytest.mark.parametrize(
    ("copied", "clean"),
    [
        ("Flowchart Maker (Enlaces a un sitio externo.)", "Flowchart Maker"),
        ("https://github.com/rubik/radonEnlaces a un sitio externo. en un código", "https://github.com/rubik/radon en un código"),  # noqa: E501
        ("Vitess (Connexions vers un site externe.)\n- memcached", "Vitess\n- memcached"),
        ("https://covid.saude.gov.br/ (Links para um site externo.)", "https://covid.saude.gov.br/"),
        ("API (Koppelingen naar een externe site.).", "API."),
        ("Revista, 5(2), 1-4. a un sitio externo.", "Revista, 5(2), 1-4."),
    ],
)  # fmt: skip
def test_canvas_in_other_languages_leaves_the_same_residue(copied: str, clean: str) -> None:
    assert strip_lms_residue(copied) == clean


def test_prose_that_mentions_an_external_site_is_kept() -> None:
    prose = "The module sent us to an external site.\nWe went to an external site. It was slow."
    assert strip_lms_residue(prose) == prose
    assert strip_lms_residue("Fuimos a un sitio externo.\nNous sommes allés vers un site externe.") == (
        "Fuimos a un sitio externo.\nNous sommes allés vers un site externe."
    )


def test_moodle_pluginfile_tokens_are_removed() -> None:
    text = (
        "See the chart @@PLUGINFILE@@/hpa%20axis.png and the handout (@@PLUGINFILE@@/week3.pdf).\n@@PLUGINFILE@@/x.png"
    )
    assert strip_lms_residue(text) == "See the chart and the handout ().\n"


def test_residue_is_removed_before_a_doi_can_swallow_it() -> None:
    html = f"<p>Jesus, V. (2022). Who’s the boss? <em>Focus, 20</em>(2), 215–219. {CANVAS_LINK}</p>"
    assert clean_html(html).endswith("215–219. https://doi.org/10.1176/appi.focus.20220082")
    pasted = "<p>Jesus, V. (2022). https://doi.org/10.1176/appi.focus.20220082Links to an external site.</p>"
    assert clean_html(pasted) == "Jesus, V. (2022). https://doi.org/10.1176/appi.focus.20220082"


def test_bodies_in_each_message_format() -> None:
    shown, text = render_body("Smith <b>wrote</b>\nline two\n\nsecond", BodyFormat.PLAIN)
    assert text == "Smith <b>wrote</b>\nline two\n\nsecond"  # plain text is never read as HTML
    assert "&lt;b&gt;" in shown
    _shown, text = render_body("**Refs**\n\nSmith, J. (2020). A.\nJones, K. (2019). B.", BodyFormat.MARKDOWN)
    assert text == "Refs\n\nSmith, J. (2020). A.\nJones, K. (2019). B."
    _shown, text = render_body("one\ntwo <i>three</i>", BodyFormat.AUTO)
    assert text == "one\ntwo three"
    html = "<p>kept <span>as is</span></p>"
    assert render_body(html, BodyFormat.HTML) == (html, "kept as is")


def test_word_count_counts_words_not_punctuation() -> None:
    assert word_count("Psychotherapy is biological – (Moreira, Inman, & Cloninger, 2020).") == 7
    assert word_count("") == 0
    assert word_count("one\n\ntwo\tthree") == 3
