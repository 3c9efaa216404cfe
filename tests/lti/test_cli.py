"""`forumgrader lti`: registering a platform, deployments, and the tool's keys from the command line."""

from __future__ import annotations

from flask import Flask

from forumgrader.cli import cli
from forumgrader.store import lti_platforms
from forumgrader.store.db import Database


def test_register_a_moodle_site_add_a_deployment_and_rotate_keys(app: Flask) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(cli, ["lti", "register", "--lms", "moodle", "--site", "https://moodle.school.edu/",
                               "--client-id", "AbC123", "--deployment", "7"])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "https://<this site>/lti/jwks" in made.output
    listed = runner.invoke(cli, ["lti", "list"]).output
    assert "https://moodle.school.edu\tAbC123\tdeployments: 7" in listed
    assert runner.invoke(cli, ["lti", "add-deployment", "1", "8"]).exit_code == 0
    again = runner.invoke(cli, ["lti", "register", "--lms", "moodle", "--site", "https://moodle.school.edu",
                                "--client-id", "AbC123"])  # fmt: skip
    assert again.exit_code == 1 and "registered already" in again.output
    first = runner.invoke(cli, ["lti", "keys"]).output.split("\t")[0]
    assert runner.invoke(cli, ["lti", "rotate-key"]).exit_code == 0
    refused = runner.invoke(cli, ["lti", "retire-key", runner.invoke(cli, ["lti", "keys"]).output.split("\t")[0]])
    assert refused.exit_code == 1 and "signs" in refused.output  # the signing key cannot be retired
    database: Database = app.extensions["forumgrader.db"]
    with database.session() as session:
        assert [key["kid"] for key in lti_platforms.jwks(session)["keys"]][1] == first  # the old key is still published
    assert runner.invoke(cli, ["lti", "retire-key", first]).exit_code == 0
    with database.session() as session:
        assert first not in [key["kid"] for key in lti_platforms.jwks(session)["keys"]]
    with database.session() as session:
        platform = lti_platforms.platforms(session)[0]
        assert lti_platforms.deployments(session, platform) == ["7", "8"]
        assert platform.auth_login_url == "https://moodle.school.edu/mod/lti/auth.php"


def test_an_http_endpoint_elsewhere_is_refused(app: Flask) -> None:
    result = app.test_cli_runner().invoke(cli, ["lti", "register", "--lms", "other", "--client-id", "x",
                                                "--issuer", "https://lms.example", "--auth-login-url",
                                                "http://lms.example/auth", "--auth-token-url", "https://lms.example/t",
                                                "--key-set-url", "https://lms.example/jwks"])  # fmt: skip
    assert result.exit_code == 1 and "must be an https:// address" in result.output


def test_a_key_id_starting_with_a_dash_is_read_as_the_key(app: Flask) -> None:
    result = app.test_cli_runner().invoke(cli, ["lti", "retire-key", "-ANwl3KuYVsMO_ADTCae1b9YGs"])
    assert result.exit_code == 1  # looked for, not taken for an option (a thumbprint may start with "-")
    assert "no live key has the id '-ANwl3KuYVsMO_ADTCae1b9YGs'" in result.output
