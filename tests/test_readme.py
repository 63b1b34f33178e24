"""The README is a front door: short, `make lab` on its first screen, and every link into docs/ real.

Everything else lives in docs/*.md. Every relative link in README.md and docs/*.md must name an
existing file, and a link to a Markdown heading (``page.md#anchor``) a heading that exists, with
GitHub's anchor for it. No network here: external links are left alone.
"""

import re

import pytest

from utils.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
MAX_CHARS = 12_000
FIRST_SCREEN = 40  # lines

LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def anchors(path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(FENCE.sub("", path.read_text()))}


def broken_links(path) -> list[str]:
    """The relative links of a Markdown file that name no existing file, or no heading of it."""
    problems = []
    for target in LINK.findall(FENCE.sub("", path.read_text())):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ...
            continue
        file, _, fragment = target.partition("#")
        where = (path.parent / file).resolve() if file else path
        if not where.exists():
            problems.append(f"{target}: no such file")
        elif fragment and where.suffix == ".md" and fragment not in anchors(where):
            problems.append(f"{target}: {where.name} has no heading with that anchor")
    return problems


def test_the_readme_is_short():
    size = len(README.read_text())
    assert size <= MAX_CHARS, (
        f"README.md has {size:,} characters, more than {MAX_CHARS:,}: move the rest to docs/")


def test_make_lab_is_on_the_first_screen():
    first_screen = "\n".join(README.read_text().splitlines()[:FIRST_SCREEN])
    for command in ("make lab", "make test"):
        assert command in first_screen, f"`{command}` is not in the README's first {FIRST_SCREEN} lines"


def test_there_are_docs_and_the_readme_links_to_each():
    assert DOCS, "docs/ holds no Markdown page"
    targets = LINK.findall(README.read_text())
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in targets}
    missing = [p.name for p in DOCS if p.resolve() not in linked]
    assert not missing, f"the README does not link to docs/{missing}"


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_the_link_check_catches_what_it_should(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## The hub rehearsal (`make test-hub`)\n")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n[a](other.md#the-hub-rehearsal-make-test-hub) [b](https://example.com/x.md) "
                    "[c](#page) [d](missing.md) [e](other.md#nowhere) [f](#nowhere)\n"
                    "```\n[g](not-checked-in-code.md)\n```\n")
    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nowhere: other.md has no heading with that anchor",
        "#nowhere: page.md has no heading with that anchor",
    ]
