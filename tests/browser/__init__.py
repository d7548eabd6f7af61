"""Browser tests: the web app in Debian's chromium, driven by Playwright."""
