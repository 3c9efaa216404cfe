"""`python -m forumgrader`: the same command line as `forumgrader`."""

from forumgrader.cli import main

main()
