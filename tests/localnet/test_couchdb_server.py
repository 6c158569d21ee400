"""The CouchDB-compatible server local peers use (pouchdb-server's HTTP layer,
express-pouchdb, started by the project's ``couchdb-server.js``): the CouchDB
behaviours Fabric's CouchDB client relies on, checked over HTTP as the peer
speaks it (revision in ``If-Match``, revision read from ``ETag``, non-JSON values
as attachments read back as ``multipart/related`` and saved one by one as
``multipart/related`` as Go's multipart writer writes it, an index and a rich
query read in pages from bookmarks), and the admin login."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from localnet.state_database import CouchDBServer
from tests.localnet.couchdb_server import running_couchdb


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CouchDBServer]:
    with running_couchdb(tmp_path_factory.mktemp("couchdb")) as running:
        yield running


Response = tuple[int, dict[str, str], bytes]


def request(server: CouchDBServer, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None, password: str | None = None) -> Response:
    """Status, headers and body of one request as the server admin (or with
    ``password``), a body as Fabric sends it (bytes as they are, else JSON)."""
    login = f"{server.username}:{server.password if password is None else password}"
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    call = urllib.request.Request(
        f"http://{server.address}{path}", data=data, method=method,
        headers={"Authorization": "Basic " + base64.b64encode(login.encode()).decode(),
                 "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(call, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_admin_logs_in_and_no_one_else(server: CouchDBServer) -> None:
    status, _, body = request(server, "GET", "/_all_dbs")
    assert status == 200 and "_users" in json.loads(body)
    status, _, body = request(server, "GET", "/_all_dbs", password="wrong")
    assert status == 401, body


def test_revisions_travel_in_etag_and_if_match(server: CouchDBServer) -> None:
    assert request(server, "PUT", "/revisions")[0] == 201
    status, headers, body = request(server, "PUT", "/revisions/savepoint", {"height": 1})
    assert status == 201, body
    first = json.loads(body)["rev"]
    status, headers, body = request(server, "GET", "/revisions/savepoint?attachments=true",
                                    headers={"Accept": "multipart/related"})
    assert status == 200 and headers["ETag"] == f'"{first}"', headers
    assert json.loads(body)["height"] == 1

    status, _, body = request(server, "PUT", "/revisions/savepoint", {"height": 2},
                              {"If-Match": first})
    assert status == 201, body
    second = json.loads(body)["rev"]
    stale = request(server, "PUT", "/revisions/savepoint", {"height": 3}, {"If-Match": first})
    assert stale[0] == 409, stale
    status, _, body = request(server, "DELETE", "/revisions/savepoint",
                              headers={"If-Match": second})
    assert status == 200, body
    assert request(server, "GET", "/revisions/savepoint")[0] == 404


def test_a_document_with_an_attachment_reads_back_as_multipart(server: CouchDBServer) -> None:
    value = bytes([0, 1, 2, 255])
    assert request(server, "PUT", "/attachments")[0] == 201
    doc = {"~version": "v1", "_attachments": {"valueBytes": {
        "content_type": "application/octet-stream", "data": base64.b64encode(value).decode()}}}
    status, _, body = request(server, "PUT", "/attachments/key1", doc)
    assert status == 201, body

    status, headers, body = request(server, "GET", "/attachments/key1?attachments=true",
                                    headers={"Accept": "multipart/related"})
    assert status == 200 and headers["Content-Type"].startswith("multipart/related;"), headers
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body)
    first, attachment = message.iter_parts()
    assert first.get_content_type() == "application/json"
    head = first.get_payload(decode=True)
    assert isinstance(head, bytes)
    stub = json.loads(head)["_attachments"]["valueBytes"]
    assert stub["follows"] is True and stub["length"] == len(value)
    assert attachment.get_filename() == "valueBytes"
    assert attachment.get_payload(decode=True) == value

    status, headers, body = request(server, "GET", "/attachments/key1?attachments=true")
    assert status == 200 and "multipart" not in headers["Content-Type"]
    assert json.loads(body)["_attachments"]["valueBytes"]["data"] == "AAEC/w=="


def fabric_multipart(boundary: str, fields: dict[str, Any], value: bytes) -> bytes:
    """A document with one non-JSON value as Fabric's ``saveDoc`` sends it: the
    JSON part naming the attachment, then its bytes in a part without headers."""
    head = {"_attachments": {"valueBytes": {
        "follows": True, "content_type": "application/octet-stream", "length": len(value)}},
        **fields}
    return (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(head)}"
            f"\r\n--{boundary}\r\n\r\n").encode() + value + f"\r\n--{boundary}--\r\n".encode()


def read_value(server: CouchDBServer, path: str) -> bytes:
    status, _, body = request(server, "GET", f"{path}?attachments=true")
    assert status == 200, body
    data: str = json.loads(body)["_attachments"]["valueBytes"]["data"]
    return base64.b64decode(data)


def test_a_value_saved_alone_as_multipart_is_stored(server: CouchDBServer) -> None:
    multipart = {"Content-Type": 'multipart/related;boundary="b0c9"'}
    assert request(server, "PUT", "/single")[0] == 201
    status, _, body = request(server, "PUT", "/single/key1",
                              fabric_multipart("b0c9", {"~version": "v1"}, b"\x00one"),
                              multipart)
    assert status == 201, body
    first = json.loads(body)["rev"]
    assert read_value(server, "/single/key1") == b"\x00one"

    status, _, body = request(server, "PUT", "/single/key1",
                              fabric_multipart("b0c9", {"~version": "v2"}, b"\x00two\r\n"),
                              {**multipart, "If-Match": first})
    assert status == 201, body
    assert read_value(server, "/single/key1") == b"\x00two\r\n"
    stale = request(server, "PUT", "/single/key1",
                    fabric_multipart("b0c9", {"~version": "v3"}, b"three"),
                    {**multipart, "If-Match": first})
    assert stale[0] == 409, stale

    broken = request(server, "PUT", "/single/key2", b"--b0c9\r\nno end", multipart)
    assert broken[0] == 400 and b"malformed multipart body" in broken[2], broken
    assert request(server, "GET", "/")[0] == 200  # the server lives on


def test_an_index_and_a_rich_query_as_fabric_sends_them(server: CouchDBServer) -> None:
    assert request(server, "PUT", "/rich")[0] == 201
    docs = [{"_id": key, "owner": owner, "~version": "v1"}
            for key, owner in (("a1", "tom"), ("a2", "ann"), ("a3", "tom"))]
    assert request(server, "POST", "/rich/_bulk_docs", {"docs": docs})[0] == 201
    index = {"index": {"fields": ["owner"]}, "ddoc": "indexOwnerDoc", "name": "indexOwner",
             "type": "json"}
    status, _, body = request(server, "POST", "/rich/_index", index)
    assert status == 200 and json.loads(body)["result"] == "created", body
    status, _, body = request(server, "GET", "/rich/_index")
    assert {"ddoc": "_design/indexOwnerDoc", "name": "indexOwner", "type": "json",
            "def": {"fields": [{"owner": "asc"}]}} in json.loads(body)["indexes"]

    query = {"selector": {"owner": "tom"}, "limit": 1000, "fields": ["owner", "_id", "~version"],
             "use_index": ["_design/indexOwnerDoc", "indexOwner"]}
    status, _, body = request(server, "POST", "/rich/_find", query)
    assert status == 200, body
    assert [doc["_id"] for doc in json.loads(body)["docs"]] == ["a1", "a3"]


def page(server: CouchDBServer, db: str, selector: dict[str, Any], limit: int,
         bookmark: str) -> tuple[list[str], str]:
    """One page's document IDs and bookmark, the query as the peer rewrites it
    for a page (statecouchdb.applyAdditionalQueryOptions): the limit set, the
    last page's bookmark added when there is one, ``_id`` and ``~version`` added
    to the fields."""
    query = {"selector": selector, "limit": limit, "fields": ["owner", "_id", "~version"],
             **({"bookmark": bookmark} if bookmark else {})}
    status, _, body = request(server, "POST", f"/{db}/_find", query)
    assert status == 200, body
    answer = json.loads(body)
    return [doc["_id"] for doc in answer["docs"]], answer["bookmark"]


def pages(server: CouchDBServer, db: str, selector: dict[str, Any], limit: int,
          bookmark: str = "") -> tuple[list[list[str]], str]:
    """Every page, each asked with the last one's bookmark while the last one
    was full (as the peer's query scanner reads on), and the last bookmark."""
    read: list[list[str]] = []
    while not read or len(read[-1]) == limit:
        ids, bookmark = page(server, db, selector, limit, bookmark)
        read.append(ids)
    return read, bookmark


def test_a_rich_query_goes_on_page_by_page_from_its_bookmarks(server: CouchDBServer) -> None:
    assert request(server, "PUT", "/paged")[0] == 201
    owners = {f"asset{n:02}": "tom" if n % 3 else "ann" for n in range(1, 21)}
    docs = [{"_id": key, "owner": owner, "~version": "v1"} for key, owner in owners.items()]
    assert request(server, "POST", "/paged/_bulk_docs", {"docs": docs})[0] == 201
    toms = sorted(key for key, owner in owners.items() if owner == "tom")
    assert len(toms) == 14

    read, end = pages(server, "paged", {"owner": "tom"}, 4)
    assert [len(ids) for ids in read] == [4, 4, 4, 2]
    assert [key for ids in read for key in ids] == toms
    # Past the end: no documents, and the same position again.
    assert page(server, "paged", {"owner": "tom"}, 4, end) == ([], end)

    # A paginated query of a chaincode: its first page of 5, then the rest
    # from the bookmark the peer handed back with it.
    first, bookmark = page(server, "paged", {"owner": "tom"}, 5, "")
    assert first == toms[:5]
    assert pages(server, "paged", {"owner": "tom"}, 100, bookmark)[0] == [toms[5:]]


@pytest.mark.parametrize("bookmark", ["not base64 json", "eyJza2lwIjotMX0", "eyJza2lwIjoiMSJ9"])
def test_a_bookmark_it_did_not_give_is_refused(server: CouchDBServer, bookmark: str) -> None:
    """Garbage, a negative position ({"skip":-1}) and a position that is no
    integer ({"skip":"1"}): a 400 naming the bookmark, and the server lives on."""
    assert request(server, "PUT", "/badmark")[0] in (201, 412)
    status, _, body = request(server, "POST", "/badmark/_find",
                              {"selector": {}, "limit": 2, "bookmark": bookmark})
    assert status == 400 and json.loads(body)["reason"] == "invalid bookmark", body
    assert request(server, "GET", "/")[0] == 200
