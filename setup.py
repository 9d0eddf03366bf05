"""Build step: copy queries/, docs/ and sample_data/ into the wheel as dashboard/_shipped/.

The package reads them at run time (dashboard/shipped.py). In a checkout, and so in an editable
install, they are read from the repository root; a built wheel must carry its own copy, so that
`pip install .` into a fresh environment works. tests/test_packaging.py checks this.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED_DIRS = ("queries", "docs", "sample_data")  # as dashboard.shipped.SHIPPED_DIRS


class BuildPyWithShipped(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        for name in SHIPPED_DIRS:
            self.copy_tree(name, str(Path(self.build_lib) / "dashboard" / "_shipped" / name))


setup(cmdclass={"build_py": BuildPyWithShipped})
