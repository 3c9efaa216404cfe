"""The API documentation page at /api/v1/: Swagger UI from our own static files over openapi.json, no CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask

VENDORED = Path(__file__).resolve().parents[2] / "forumgrader" / "web" / "static" / "vendor" / "swagger-ui"


def test_the_docs_page_draws_the_openapi_document_with_files_served_here(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert any(asset.endswith("vendor/swagger-ui/swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("vendor/swagger-ui/swagger-ui.css") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset}: every script and style is ours"
        with client.get(asset) as served:
            assert served.status_code == 200, asset
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/api/v1").status_code in (301, 308)  # the address without its slash leads there


def test_the_vendored_swagger_ui_is_the_pinned_release() -> None:
    readme = (VENDORED / "README.md").read_text(encoding="utf-8")
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        digest = hashlib.sha256((VENDORED / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, f"{name} differs from the release README.md names"
    assert "Apache License" in (VENDORED / "LICENSE").read_text(encoding="utf-8")
