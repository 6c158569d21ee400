"""Read one YAML file into plain Python data, or raise a SpecError that says why not."""

from __future__ import annotations

from pathlib import Path

import yaml

from network_spec.errors import SpecError
from network_spec.key_guard import refuse_private_key


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int, first_line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line
        self.first_line = first_line


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, except that a key repeated in one mapping is an error
    (YAML forbids it; PyYAML would silently keep the last value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in first_lines:
                raise _DuplicateKeyError(key_node.value, line, first_lines[key_node.value])
            first_lines[key_node.value] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(file: str) -> object:
    """The file's single YAML document; ``None`` for an empty file."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(file, "", "file not found") from None
    except IsADirectoryError:
        raise SpecError(file, "", "is a directory, not a YAML file") from None
    except UnicodeDecodeError:
        raise SpecError(file, "", "is not UTF-8 text") from None
    except OSError as error:
        raise SpecError(file, "", f"cannot read the file: {error.strerror}") from None
    refuse_private_key(file, text)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: plain data only
    except _DuplicateKeyError as error:
        raise SpecError(
            file,
            "",
            f"line {error.line}: duplicate key '{error.key}' "
            f"(already given at line {error.first_line})",
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or ""
        if problem.startswith("but ") and error.context:  # "expected one document, but ..."
            problem = f"{error.context}, {problem}"
        raise SpecError(file, "", f"YAML syntax error{where}: {problem}") from None
    except yaml.YAMLError as error:
        raise SpecError(file, "", f"YAML error: {error}") from None
