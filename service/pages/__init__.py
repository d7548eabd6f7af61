"""The web app: server-rendered pages under /, in Swedish, calling the same use cases and queries as the API.

How to add a page:

1. A module here (one page or a group of them) with Litestar route handlers. A page that shows
   the partnership's data takes `context: Context` (service/web/context.py) exactly like an API
   handler: the pages' provider finds the caller in the session cookie, and a request without a
   valid session is redirected to /login. Check roles on the server with
   `context.identity.require("coordinator")` (a refusal renders the 403 page): the navigation
   only hides links, it is not security.
2. Call the use cases (service/commands.py) and queries (projections' query functions) the API
   calls, never the API over HTTP. A page that shows data is a read: give its route
   `middleware=[recorded("<kind>")]` and `guards=[declared_query_only]`, like its API twin.
3. Return `page(request, "<name>.html", title=..., **values)` (service/pages/rendering.py): its
   template `{% extends "base.html" %}` and fills `{% block content %}` with one <h1>, then <h2>s.
   Forms post to the service, carry `{{ csrf_input | safe }}`, and use the macros in
   templates/macros/forms.html (`error_summary`, `field`, `textarea`, `select`, `checkboxes`,
   `radios`, `button`):
   on a refusal, render the form again with status 400, the values typed and `errors` (field id
   -> message in Swedish a person can act on), and prefix the title with "Fel: ". A form that
   stores something calls `saw(request, result.position)` (service/pages/session.py) before it
   answers, so that the kept pages below show that reader nothing older than its write.
   A page many read alike (Översikt, Område) keeps its content in `context.pages`
   (service/web/read_cache.py): its template has no layout of its own, is rendered with
   `await fragment(...)` once for every reader with the same key, and goes into `page.html` as `content`.
4. Register the handler in `pages_router` (service/pages/router.py); a new link of the header
   goes in `NAVIGATION` (service/pages/rendering.py) with the roles that may see it.
5. No inline script or style (the pages' CSP forbids them): our own files go in static/, a
   third-party one from its npm package at a pinned version with its licence. Everything must
   work without JavaScript. A browser test in tests/browser/ visits the page and runs axe-core.
"""
