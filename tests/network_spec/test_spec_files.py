"""Unreadable files: missing, not YAML, not a mapping. Either file, same messages."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from network_spec import SpecError, load_network

GOOD_CRYPTO_CONFIG = """\
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    Template: {Count: 1}
"""
GOOD_NETWORK = "channels: []\n"
CRYPTO_KEYS = "OrdererOrgs, PeerOrgs"
NETWORK_KEYS = "stateDatabase, channels, chaincodes"


@pytest.fixture(params=["crypto-config.yaml", "network.yaml"])
def bad_file(request, tmp_path):
    """(name of the file under test, its path, a function that loads both files)."""
    crypto = tmp_path / "crypto-config.yaml"
    network = tmp_path / "network.yaml"
    crypto.write_text(GOOD_CRYPTO_CONFIG)
    network.write_text(GOOD_NETWORK)

    def load() -> SpecError:
        with pytest.raises(SpecError) as error:
            load_network(crypto, network)
        return error.value

    return request.param, tmp_path / request.param, load


def keys_of(name: str) -> str:
    return CRYPTO_KEYS if name == "crypto-config.yaml" else NETWORK_KEYS


def test_missing_file(bad_file):
    _, path, load = bad_file
    path.unlink()
    error = load()
    assert (error.file, error.path, error.message) == (str(path), "", "file not found")
    assert str(error) == f"{path}: file not found"


def test_directory_instead_of_file(bad_file):
    _, path, load = bad_file
    path.unlink()
    path.mkdir()
    assert str(load()) == f"{path}: is a directory, not a YAML file"


def test_not_utf8(bad_file):
    _, path, load = bad_file
    path.write_bytes(b"PeerOrgs: \xff\n")
    assert str(load()) == f"{path}: is not UTF-8 text"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "PeerOrgs:\n  - Name: [Org1\n",
            "YAML syntax error at line 3, column 1: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "a: b: c\n",
            "YAML syntax error at line 1, column 5: mapping values are not allowed here",
        ),
        (
            "PeerOrgs:\n\t- Name: x\n",
            "YAML syntax error at line 2, column 1: found character '\\t' that cannot start "
            "any token",
        ),
        (
            "PeerOrgs: []\n---\nPeerOrgs: []\n",
            "YAML syntax error at line 2, column 1: expected a single document in the stream, "
            "but found another document",
        ),
        (
            "PeerOrgs:\n  - Name: Org1\n    Name: Org2\n",
            "line 3: duplicate key 'Name' (already given at line 2)",
        ),
    ],
    ids=["unclosed-bracket", "nested-mapping", "tab", "two-documents", "duplicate-key"],
)
def test_yaml_syntax_error(bad_file, text, message):
    _, path, load = bad_file
    path.write_text(text)
    assert str(load()) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("text", "got"),
    [("- a\n- b\n", "a list"), ("hello\n", "a string ('hello')"), ("42\n", "an integer (42)")],
)
def test_top_level_not_a_mapping(bad_file, text, got):
    name, path, load = bad_file
    path.write_text(text)
    error = load()
    assert str(error) == f"{path}: expected a mapping with keys {keys_of(name)}, got {got}"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file(bad_file, text):
    name, path, load = bad_file
    path.write_text(text)
    error = load()
    assert str(error) == (
        f"{path}: the file is empty; expected a mapping with keys {keys_of(name)}"
    )


def test_file_is_reported_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "crypto-config.yaml").write_text(GOOD_CRYPTO_CONFIG)
    with pytest.raises(SpecError) as error:
        load_network("crypto-config.yaml", "conf/network.yaml")
    assert str(error.value) == "conf/network.yaml: file not found"
    assert error.value.file == "conf/network.yaml"


def private_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


KEY_REFUSED = "holds a PEM private key (not shown); check the path, and keep keys out of this file"


def test_a_path_at_a_private_key_quotes_none_of_it(bad_file):
    _, path, load = bad_file
    pem = private_key_pem()
    path.write_text(pem)
    error = load()
    assert str(error) == f"{path}: {KEY_REFUSED}"
    assert all(line not in str(error) for line in pem.splitlines()[1:-1])


def test_a_key_pasted_into_a_field_quotes_none_of_it(bad_file):
    name, path, load = bad_file
    pem = private_key_pem()
    indented = "".join(f"      {line}\n" for line in pem.splitlines())
    key = "PeerOrgs" if name == "crypto-config.yaml" else "channels"
    path.write_text(f"{key}:\n  - Name: |\n{indented}")
    assert str(load()) == f"{path}: {KEY_REFUSED}"


def test_a_long_or_multiline_value_is_described_not_quoted(bad_file):
    name, path, load = bad_file
    value = "x" * 81
    path.write_text(f"{value}\n")
    assert str(load()) == (
        f"{path}: expected a mapping with keys {keys_of(name)}, got a string of 81 characters"
    )


@pytest.mark.parametrize(("field", "quoted"), [
    ("channels: [{name: ch, orgs: [\"Org1\\n\"]}]", "unknown org 'Org1\\n'"),
    ("channels: [{name: ch, orgs: [\"Org\\u0000\"]}]", "unknown org 'Org\\x00'"),
    ("channels: [{name: ch, orgs: [Org1], batchTimeout: \"2s\\n\"}]", "'2s\\n' is not a "
     "duration"),
    ("channels: [{name: ch, orgs: [Org1], acls: {\"peer/Propose\\r\": /Channel/Writers}}]",
     "unknown ACL resource 'peer/Propose\\r'"),
])
def test_a_control_character_quoted_from_a_file_stays_on_one_line(tmp_path, field, quoted):
    """A newline or NUL in a value is written as its escape: the message stays
    one line, and a terminal or CI log shows what the file holds."""
    (tmp_path / "crypto-config.yaml").write_text(
        "OrdererOrgs: [{Name: Orderer, Domain: example.com, Specs: [{Hostname: o0}]}]\n"
        + GOOD_CRYPTO_CONFIG)
    (tmp_path / "network.yaml").write_text(field + "\n")
    with pytest.raises(SpecError) as error:
        load_network(tmp_path / "crypto-config.yaml", tmp_path / "network.yaml")
    assert quoted in str(error.value)
    assert str(error.value).isprintable()
