"""The one error type bad input raises: it names the file and the field path."""


class SpecError(Exception):
    """Bad input in a file the user maintains.

    ``str(error)`` is the whole message the user sees, for example
    ``network.yaml: channels[1].orgs[0]: unknown org 'Org9'``.
    """

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.message = message
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {message}")
