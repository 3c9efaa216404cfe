"""forumgrader: grade course discussion boards and catch broken citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when an app is built: `forumgrader --help` starts without Flask
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: configuration, database, background jobs, web pages and API."""
    from flask import Flask

    from forumgrader import config, jobs, store, web

    # static_folder=None: web.templating serves web/static itself, under versioned addresses
    app = Flask(__name__, instance_path=config.instance_path(), instance_relative_config=True, static_folder=None)
    config.load(app, test_config)
    store.init_app(app)
    jobs.init_app(app)
    web.init_app(app)
    return app
