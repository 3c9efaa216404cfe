"""The WSGI entry point: `gunicorn wsgi:app`, or any WSGI server. Run `forumgrader worker` beside it."""

from forumgrader import create_app

app = create_app()
