"""The one error type bad input raises: it names the file and the field path."""


def one_line(text: str) -> str:
    """``text`` with each unprintable character (a newline, a NUL...) written as
    its escape, so a value quoted from a file can never break the message."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class SpecError(Exception):
    """Bad input in a file the user maintains.

    ``str(error)`` is the whole message the user sees, on one line, for example
    ``network.yaml: channels[1].orgs[0]: unknown org 'Org9'``.
    """

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.message = one_line(message)
        where = f"{file}: {path}" if path else file
        super().__init__(one_line(f"{where}: {self.message}"))
