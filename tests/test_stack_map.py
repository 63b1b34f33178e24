"""The map of the stack (docs/stack-map.md): one row per library, every notebook and section it names real.

A row says where the course teaches a library with references of the form

    [02 §7](../notebooks/02_tokenizers.ipynb) "Training a tokenizer on the course's reviews"

(the notebook's number, the section's number, the notebook file relative to docs/, the section's
heading as the notebook writes it after "## 7. "), or starts with "Not taught:" and says why.
Every row links to the library's official documentation. No network here: external links are
checked for form.
"""

import re

import nbformat
import pytest

from utils.paths import REPO_ROOT, notebooks_dir

STACK_MAP = REPO_ROOT / "docs" / "stack-map.md"
HEADING = "## The map of the stack"
ANCHOR = "../docs/stack-map.md#the-map-of-the-stack"  # GitHub's anchor for HEADING, from notebooks/

# The list: every one of these has exactly one row (the name before any "(...)").
REQUIRED = [
    "Transformers", "Tokenizers", "Datasets", "Evaluate", "huggingface_hub", "Safetensors", "PEFT",
    "TRL", "Accelerate", "Optimum", "Gradio", "Diffusers", "AutoTrain", "Inference Providers",
    "Inference Endpoints", "Dataset viewer API", "sentence-transformers", "timm", "Transformers.js",
    "PyTorch Lightning", "PyTorch Ignite", "Keras 3", "PyTorch Hub",
]
COLUMNS = ["library", "what it is for", "where the course teaches it", "official docs"]

REFERENCE = re.compile(r'\[(\d\d) §(\d+)\]\(\.\./(notebooks/[^)\s]+)\) "([^"]+)"')
LINK = re.compile(r"\]\(([^)\s]+)\)")
OFFICIAL_DOCS = re.compile(
    r"https://(huggingface\.co/docs/[a-z0-9_.-]+(/[\w./#-]*)?"
    r"|github\.com/[\w.-]+/[\w.-]+(/[\w./#-]*)?"
    r"|www\.gradio\.app/docs(/[\w./#-]*)?"
    r"|sbert\.net/([\w./#-]*)?"
    r"|lightning\.ai/docs/pytorch(/[\w./#-]*)?|pytorch\.org/ignite(/[\w./#-]*)?|keras\.io(/[\w./#-]*)?"
    r"|pytorch\.org/docs/stable/hub\.html)"
)
NUMBERED_HEADING = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$", re.MULTILINE)


def map_section(text: str) -> str:
    """The map's section of its page, from its heading to the next "## " heading."""
    start = text.index(f"\n{HEADING}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def table_rows(section: str) -> list[list[str]]:
    """The table's body rows, as lists of stripped cells (header and separator left out)."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == COLUMNS, f"the map's columns are {header}, expected {COLUMNS}"
    assert set(lines[1].replace("|", "").strip()) <= set("-: "), "the second line is not a separator"
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[2:]]


def row_name(cell: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", cell.replace("**", "").replace("`", "")).strip()


def notebook_sections(path) -> dict[int, str]:
    """The numbered "## N. Title" headings of a notebook's Markdown cells."""
    markdown = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    return {int(number): title for number, title in NUMBERED_HEADING.findall(markdown)}


def problems_in(section: str, root=REPO_ROOT) -> list[str]:
    """Everything wrong with the links and section references of a map section (in root/docs/)."""
    problems = []
    for number, section_number, path, title in REFERENCE.findall(section):
        notebook = root / path
        if not notebook.is_file():
            problems.append(f"{path} does not exist")
            continue
        if not notebook.name.startswith(f"{number}_"):
            problems.append(f"[{number} §{section_number}] links to {path}, another notebook's number")
        found = notebook_sections(notebook).get(int(section_number))
        if found != title:
            problems.append(f'{path} has no section "## {section_number}. {title}" '
                            f"(its section {section_number} is {found!r})")
    for target in LINK.findall(REFERENCE.sub("", section)):  # the links outside the references
        if target.startswith("http"):
            if not OFFICIAL_DOCS.fullmatch(target):
                problems.append(f"{target} is not an official docs address (huggingface.co/docs/..., GitHub)")
        elif "notebooks/" in target:
            problems.append(f"the link to {target} is not written as [NN §N](notebook) \"section\"")
        elif not (root / "docs" / target.split("#")[0]).exists():
            problems.append(f"{target} does not exist")
    return problems


@pytest.fixture(scope="module")
def section():
    text = STACK_MAP.read_text()
    assert f"\n{HEADING}\n" in text, f"docs/stack-map.md has no section {HEADING!r}"
    return map_section(text)


def test_the_readme_links_to_the_map():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "](docs/stack-map.md#the-map-of-the-stack)" in readme, "the README does not link to the map"


def test_every_library_has_exactly_one_row(section):
    names = [row_name(row[0]) for row in table_rows(section)]
    missing = [name for name in REQUIRED if name not in names]
    assert not missing, f"the map has no row for {missing}"
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"the map has more than one row for {repeated}"


def test_every_row_says_what_where_and_where_to_learn_more(section):
    for row in table_rows(section):
        name = row_name(row[0])
        assert len(row) == len(COLUMNS), f"the row of {name} has {len(row)} cells, expected {len(COLUMNS)}"
        _, purpose, taught, docs = row
        assert len(purpose) > 20, f"the row of {name} does not say what the library is for"
        if not REFERENCE.search(taught):
            assert re.match(r"Not taught: \S.{15,}", taught), (
                f"the row of {name} names no notebook section and does not say why it is not taught "
                '("Not taught: <why>")')
        assert any(OFFICIAL_DOCS.fullmatch(url) for url in LINK.findall(docs)), (
            f"the row of {name} does not link to the official docs")


def test_every_link_and_section_is_real(section):
    assert REFERENCE.search(section), "the map names no notebook section"
    assert problems_in(section) == []


def test_the_checks_catch_what_they_should(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# 01 · Pipelines\n\n## 1. Feature extraction\n\ntext")]
    nbformat.write(notebook, notebooks / "01_pipelines.ipynb")
    good = '[01 §1](../notebooks/01_pipelines.ipynb) "Feature extraction"'
    assert problems_in(good, root=tmp_path) == []
    bad = ('[01 §2](../notebooks/01_pipelines.ipynb) "Feature extraction", '
           '[02 §1](../notebooks/01_pipelines.ipynb) "Feature extraction", '
           '[01 §1](../notebooks/01_pipelines.ipynb) "Feature extractions", '
           '[09 §1](../notebooks/09_gone.ipynb) "Anything", '
           "[01](../notebooks/01_pipelines.ipynb), [docs](https://example.com/docs), [x](missing.md)")
    problems = problems_in(bad, root=tmp_path)
    assert len(problems) == 7, problems
    assert row_name("Inference Providers (formerly the serverless Inference API)") == "Inference Providers"
    assert row_name("**`huggingface_hub`**") == "huggingface_hub"


def test_notebook_00_links_to_the_map():
    cells = nbformat.read(notebooks_dir() / "00_setup.ipynb", as_version=4).cells
    assert any(f"]({ANCHOR})" in c.source for c in cells if c.cell_type == "markdown"), (
        f"00_setup.ipynb does not link to the map of the stack ({ANCHOR})")
    slug = re.sub(r"[^\w\- ]", "", HEADING.removeprefix("## ").lower()).replace(" ", "-")
    assert ANCHOR.endswith("#" + slug), "the anchor does not match the map's heading"
