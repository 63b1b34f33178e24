import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils import CourseError  # noqa: E402
from utils.plotting import save_figure, use_course_style  # noqa: E402


def test_style_and_save(report_dir):
    use_course_style()
    assert plt.rcParams["axes.spines.top"] is False
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    path = save_figure(fig, "toy")
    assert path == report_dir / "figures" / "toy.png" and path.stat().st_size > 1000
    plt.close(fig)


@pytest.mark.parametrize("name", ["", "../x", ".hidden", "a/b"])
def test_bad_figure_names(name, report_dir):
    fig = plt.figure()
    with pytest.raises(CourseError, match="plain file name"):
        save_figure(fig, name)
    plt.close(fig)
