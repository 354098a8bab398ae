"""The library's public names, each imported as a user would: in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

import newsarchive

CLASSES = {"Archive", "Article", "FetchResult", "Quote"}

# Prints what a name is, first in a fresh interpreter, then again once every submodule is
# imported (importing a submodule sets it on the package, where it would hide a function).
CHECK = """
import importlib, inspect, pkgutil, sys
def kind(value):
    return "class" if inspect.isclass(value) else "function" if inspect.isfunction(value) else type(value).__name__
from newsarchive import {name} as first
import newsarchive
for module in pkgutil.walk_packages(newsarchive.__path__, "newsarchive."):
    importlib.import_module(module.name)
from newsarchive import {name} as again
print(kind(first), kind(again))
"""


def _expected(name: str) -> str:
    if name == "__version__":
        return "str"
    return "class" if name in CLASSES else "function"


@pytest.mark.parametrize("name", newsarchive.__all__)
def test_every_public_name_is_what_it_says_in_a_fresh_interpreter(name: str) -> None:
    found = subprocess.run(
        [sys.executable, "-c", CHECK.format(name=name)], capture_output=True, text=True, check=True
    )
    assert found.stdout.split() == [_expected(name)] * 2


def test_the_documented_names_are_public() -> None:
    documented = {"Archive", "add", "extract_article", "list_speakers", "search", "search_quotes"}
    assert documented <= set(newsarchive.__all__)
