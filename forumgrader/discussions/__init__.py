"""Discussions: the canonical export model, one importer per LMS format, and the text cleanup they share."""
