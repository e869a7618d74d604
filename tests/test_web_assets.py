"""Everything works with no internet: every page ``escsim serve`` shows (to the facilitator, a
team, the board, the review) references only its own server's files, and each of them is there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

pytest.importorskip("starlette", reason="the browser face needs the web extra")

from web_support import TestClient, create_game, csrf, in_process  # noqa: E402

BASE = "http://testserver"
# Attributes that make a browser fetch something, or that a page's script fetches.
FETCHED = {"src", "href", "data-status", "poster", "data"}


class References(HTMLParser):
    """Every URL a page refers to: scripts, styles, icons, images, links, forms, and the JSON
    its script polls."""

    def __init__(self) -> None:
        super().__init__()
        self.get: list[tuple[str, str]] = []  # (tag, url) fetched with GET
        self.post: list[str] = []  # form actions

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in FETCHED or name == "srcset":
                self.get.append((tag, value.split()[0] if name == "srcset" else value))
            elif name == "action":
                self.post.append(value)
            elif name == "style" and "url(" in value:
                self.get.append((tag, value))


def references(text: str) -> References:
    parser = References()
    parser.feed(text)
    return parser


def local(url: str, page: str) -> str:
    """The path of a same-server URL; fails the test for anything that leaves the server."""
    full = urljoin(BASE + page, url)
    parts = urlsplit(full)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, f"{page} refers to {url}"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A game played for two turns, with its review made: each viewer's client and pages."""
    store, app, boss = in_process(tmp_path_factory.mktemp("assets") / "a.sqlite")
    game_id, codes = create_game(boss)
    team = TestClient(app, follow_redirects=False)
    team.post("/join", data={"csrf": csrf(team, "/"), "code": codes["iran"]})
    page = f"/facilitator/games/{game_id}"
    for _ in range(2):
        boss.post(f"{page}/advance", data={"csrf": csrf(boss, page)})
    answer = boss.post(f"{page}/review", data={"csrf": csrf(boss, page), "runs": "10"})
    assert answer.status_code == 303, answer.text
    stranger = TestClient(app, follow_redirects=False)
    yield {
        "stranger": (stranger, ["/", "/facilitator/login", "/no/such/page"]),
        "team": (team, ["/team", f"/games/{game_id}/board"]),
        "facilitator": (boss, ["/facilitator", page, f"/games/{game_id}/board",
                               f"{page}/review/report.html"]),
    }
    store.close()


def test_every_page_refers_only_to_its_own_server_and_every_asset_is_there(pages: dict
                                                                           ) -> None:
    checked = set()
    for who, (client, paths) in pages.items():
        for path in paths:
            answer = client.get(path)
            assert answer.status_code in (200, 404), (who, path)
            if not path.endswith("report.html"):  # the review's page is the file escsim aar writes
                csp = answer.headers["content-security-policy"]
                assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            refs = references(answer.text)
            assert refs.get, (who, path)
            for tag, url in refs.get:
                assert "url(" not in url, f"{path}: inline style fetches {url}"
                target = local(url, path)
                if (who, target) in checked:
                    continue
                checked.add((who, target))
                fetched = client.get(target, follow_redirects=True)  # a link may redirect
                local(str(fetched.url), path)
                assert fetched.status_code == 200, (who, path, tag, url, fetched.status_code)
                if target.endswith(".css"):
                    assert "url(" not in fetched.text and "@import" not in fetched.text
                if target.endswith(".js"):
                    assert "http://" not in fetched.text and "https://" not in fetched.text
            for action in refs.post:
                local(action, path)
    kinds = {t.rsplit(".", 1)[-1] for _, t in checked if "." in t.rsplit("/", 1)[-1]}
    assert {"css", "js", "svg", "pdf", "json"} <= kinds  # the review's figures, its PDF too


def test_the_review_opens_in_the_browser_and_as_a_pdf(pages: dict) -> None:
    boss, paths = pages["facilitator"]
    report = boss.get(paths[-1])
    assert report.status_code == 200 and "Where your game sits" in report.text
    pdf = boss.get(paths[-1].replace("report.html", "report.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    team, _ = pages["team"]
    assert team.get(paths[-1]).status_code == 403
    assert boss.get(paths[-1].replace("report.html", "../../../a.sqlite")).status_code == 404


def test_the_pages_name_no_other_server(pages: dict) -> None:
    """Not even in text: the only addresses on a page are the server's own (the facilitator's
    page tells the teams where to go) and SVG's namespace, which is a name, never fetched."""
    for client, paths in pages.values():
        for path in paths:
            text = client.get(path).text
            hosts = set(re.findall(r"(?:https?:)?//([A-Za-z0-9.-]+)", text))
            assert hosts <= {"testserver", "www.w3.org"}, (path, hosts)
            assert "www.w3.org" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")

