"""Canvas's REST API through canvasapi: the only package that talks to it (like `crossref` for Crossref)."""
