"""Messages about a file quote its values; a file that holds a private key (a
path pointing at the wrong file, a key pasted into a field) must not have any of
it quoted into a terminal or a CI log. Such a file is refused as a whole."""

from __future__ import annotations

import re

from network_spec.errors import SpecError

_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")


def refuse_private_key(file: str, text: str) -> None:
    if _PRIVATE_KEY.search(text):
        raise SpecError(file, "", "holds a PEM private key (not shown); check the path, and "
                        "keep keys out of this file")
