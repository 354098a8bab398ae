"""The library's public names, each imported as a user would: in a fresh interpreter."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import newsarchive

CLASSES = {"Archive", "Article", "FetchResult", "Quote"}

# Prints what a name is, imported alone in a fresh interpreter.
CHECK_ALONE = """
import inspect
from newsarchive import {name} as value
print("class" if inspect.isclass(value) else "function" if inspect.isfunction(value) else type(value).__name__)
"""


def _kind(value: object) -> str:
    if inspect.isclass(value):
        return "class"
    return "function" if inspect.isfunction(value) else type(value).__name__


def _expected(name: str) -> str:
    if name == "__version__":
        return "str"
    return "class" if name in CLASSES else "function"


@pytest.mark.parametrize("name", newsarchive.__all__)
def test_every_public_name_is_what_it_says_in_a_fresh_interpreter(name: str) -> None:
    found = subprocess.run(
        [sys.executable, "-c", CHECK_ALONE.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == [_expected(name)]


def test_every_public_name_is_what_it_says_once_every_submodule_is_imported() -> None:
    """Importing a submodule sets it on the package, where it would hide a function."""
    for module in pkgutil.walk_packages(newsarchive.__path__, "newsarchive."):
        importlib.import_module(module.name)
    kinds = {name: _kind(getattr(newsarchive, name)) for name in newsarchive.__all__}
    assert kinds == {name: _expected(name) for name in newsarchive.__all__}


def test_the_documented_names_are_public() -> None:
    documented = {"Archive", "add", "extract_article", "list_speakers", "search", "search_quotes"}
    assert documented <= set(newsarchive.__all__)
