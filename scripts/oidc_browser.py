#!/usr/bin/env python3
"""A headless browser for oidc-provider's dev interactions: follow the authorize URL, log in and
consent, and print the final redirect (to the client's redirect URI) without following it.

usage: oidc_browser.py AUTHORIZE_URL
"""
import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


class Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if newurl.startswith("http://localhost:1455/"):
            print(newurl)
            sys.exit(0)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stop())
page = opener.open(sys.argv[1])
for prompt in ("login", "consent"):
    html = page.read().decode()
    action = re.search(r'action="([^"]+)"', html)
    if not action:
        sys.exit(f"no form on {page.url}:\n{html[:500]}")
    form = {"prompt": prompt}
    if prompt == "login":
        form.update({"login": "codex-user", "password": "x"})
    data = urllib.parse.urlencode(form).encode()
    page = opener.open(urllib.parse.urljoin(page.url, action.group(1)), data)
sys.exit(f"no redirect to the client after consent: {page.url}")
