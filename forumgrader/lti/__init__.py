"""LTI 1.3 Advantage on pylti1p3: launches, deep linking, the roster (NRPS) and grades (AGS). The only package
that speaks LTI; `forumgrader.web.lti` is its blueprint, `forumgrader.store` keeps what it learns."""
