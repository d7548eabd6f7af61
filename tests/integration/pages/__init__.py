"""The web app's pages over HTTP: sessions, CSRF, sign-in, headers, the read log."""
