"""Maps the top-level assets/ folder into the package as tripdesk.assets."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["tripdesk*"]), "tripdesk.assets"],
    package_dir={"tripdesk.assets": "assets"},
)
