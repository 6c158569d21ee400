'use strict';
// A CouchDB-compatible server for the state database of local peers:
// express-pouchdb (the HTTP layer of pouchdb-server) over in-memory PouchDB,
// on 127.0.0.1. Apache CouchDB cannot be installed on the machines the tests
// run on (no Debian package, no registry that serves it).
//
// Fabric's CouchDB client relies on five CouchDB behaviours express-pouchdb
// 4.2.0 lacks; without the first three a peer fails its first channel join.
// The middleware below adds them and nothing else:
//   1. GET /{db}/{doc} answers with the document's revision as its ETag
//      (Fabric reads the revision there; express-pouchdb sends Express's
//      content-hash ETag, W/"...", which Fabric then sends back as an invalid
//      revision);
//   2. PUT and DELETE /{db}/{doc} take the revision from If-Match (Fabric sends
//      it nowhere else; express-pouchdb reads only _rev and ?rev=, so every
//      update of an existing document was a 409 conflict);
//   3. GET /{db}/{doc}?attachments=true with Accept: multipart/related answers
//      a document that has attachments as multipart/related, the JSON first and
//      each attachment as its own part (Fabric stores non-JSON values as an
//      attachment and reads them only from such a response);
//   4. PUT /{db}/{doc} as multipart/related, the JSON first, naming its
//      attachments with "follows": true, then their bytes in that order as
//      parts without headers (Fabric saves a non-JSON value so when a bulk
//      update failed for it; express-pouchdb's multipart parser wants file
//      names and its process dies on such a request): read here into one JSON
//      document with the attachments inline, stored as any JSON PUT;
//   5. POST /{db}/_find answers with a bookmark and goes on from one (Fabric
//      reads a rich query in pages of the peer's internalQueryLimit, each from
//      the last page's bookmark, and hands the last one to a paginated query;
//      pouchdb-find has no bookmarks, so the peer read the first page again and
//      again, up to totalQueryLimit results). Here a bookmark is the position
//      after the page (base64url of {"skip": n}), not CouchDB's last key: a
//      write between two pages of one query may shift a result across pages.
//
// Usage: node couchdb-server.js [--port N] [--log FILE]
// COUCHDB_USER and COUCHDB_PASSWORD name the server admin (as for the CouchDB
// image). Port 0 (the default) takes a free port; once listening, the server
// prints "listening 127.0.0.1:<port>" as its first line on stdout.

const crypto = require('crypto');
const express = require('express');
const expressPouchDB = require('express-pouchdb');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-mapreduce'))
  .plugin(require('pouchdb-replication'));

const HOST = '127.0.0.1';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

// /{db}/{doc}: a database not named _..., a document id not starting with _
// but for design and local documents.
function isDocumentPath(path) {
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match || match[1].startsWith('_')) {
    return false;
  }
  const id = match[2];
  return !id.startsWith('_') || id.startsWith('_design/') || id.startsWith('_local/');
}

function revisionFromIfMatch(req, res, next) {
  const ifMatch = req.get('If-Match');
  if ((req.method === 'PUT' || req.method === 'DELETE') && ifMatch &&
      !req.query.rev && isDocumentPath(req.path)) {
    req.query.rev = ifMatch.replace(/"/g, '');
  }
  next();
}

// The parts of a multipart body: their header block and their bytes.
function multipartParts(body, boundary) {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let at = body.indexOf(delimiter);
  while (at !== -1 && body.toString('latin1', at + delimiter.length,
                                   at + delimiter.length + 2) !== '--') {
    const start = at + delimiter.length;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), start);
    const headersEnd = body.indexOf('\r\n\r\n', start);
    if (next === -1 || headersEnd === -1 || headersEnd > next) {
      throw new Error('malformed multipart body');
    }
    parts.push({headers: body.toString('latin1', start + 2, headersEnd),
                data: body.subarray(headersEnd + 4, next)});
    at = next + 2;
  }
  return parts;
}

function inlineAttachments(body, boundary) {
  const [json, ...files] = multipartParts(body, boundary);
  if (!json) {
    throw new Error('empty multipart body');
  }
  const doc = JSON.parse(json.data.toString('utf8'));
  const following = Object.entries(doc._attachments || {}).filter(([, a]) => a.follows);
  if (following.length !== files.length) {
    throw new Error(`${following.length} attachments follow, ${files.length} parts do`);
  }
  following.forEach(([name, stub], i) => {
    doc._attachments[name] = {content_type: stub.content_type,
                              data: files[i].data.toString('base64')};
  });
  return doc;
}

// Reads the request's body and hands express-pouchdb parse(body) as the parsed
// JSON body instead; a parse error is a 400 with its message as the reason.
function replaceBody(req, res, next, parse) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('error', next);
  req.on('end', () => {
    try {
      req.body = parse(Buffer.concat(chunks));
    } catch (error) {
      return res.status(400).json({error: 'bad_request', reason: error.message});
    }
    req._body = true; // body-parser leaves a parsed body alone
    req.headers['content-type'] = 'application/json';
    next();
  });
}

// Lets transform(body) rewrite the body of the response to this request.
function onSend(res, transform) {
  const send = res.send;
  res.send = function (body) {
    res.send = send;
    return transform(body, (replaced) => send.call(res, replaced));
  };
}

function multipartPut(req, res, next) {
  const type = req.get('Content-Type') || '';
  const boundary = /^multipart\/related;\s*boundary="?([^";]+)"?/i.exec(type);
  if (req.method !== 'PUT' || !boundary || !isDocumentPath(req.path)) {
    return next();
  }
  replaceBody(req, res, next, (body) => inlineAttachments(body, boundary[1]));
}

function multipartDocument(doc) {
  const boundary = crypto.randomBytes(16).toString('hex');
  const stubs = {};
  const parts = [];
  for (const [name, attachment] of Object.entries(doc._attachments)) {
    const data = Buffer.from(attachment.data || '', 'base64');
    stubs[name] = {content_type: attachment.content_type, digest: attachment.digest,
                   revpos: attachment.revpos, length: data.length, follows: true};
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: attachment; ` +
                           `filename="${name}"\r\nContent-Type: ${attachment.content_type}` +
                           `\r\nContent-Length: ${data.length}\r\n\r\n`), data,
               Buffer.from('\r\n'));
  }
  const json = JSON.stringify(Object.assign({}, doc, {_attachments: stubs}));
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${json}\r\n`),
    ...parts, Buffer.from(`--${boundary}--`)]);
  return {body, contentType: `multipart/related; boundary="${boundary}"`};
}

function documentResponses(req, res, next) {
  if (req.method !== 'GET' || !isDocumentPath(req.path)) {
    return next();
  }
  onSend(res, (body, send) => {
    let doc = null;
    if (res.statusCode === 200) {
      try {
        doc = JSON.parse(body.toString());
      } catch (notJSON) {
        doc = null;
      }
    }
    if (!doc || typeof doc._rev !== 'string') {
      return send(body);
    }
    res.set('ETag', `"${doc._rev}"`);
    const attached = doc._attachments && Object.values(doc._attachments).some((a) => a.data);
    if (attached && /multipart\/related/.test(req.get('Accept') || '')) {
      const multipart = multipartDocument(doc);
      res.set('Content-Type', multipart.contentType);
      return send(multipart.body);
    }
    return send(body);
  });
  next();
}

function bookmark(position) {
  return Buffer.from(JSON.stringify({skip: position})).toString('base64url');
}

function bookmarkPosition(text) {
  let position;
  try {
    position = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')).skip;
  } catch (notJSON) {
    position = undefined;
  }
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new Error('invalid bookmark');
  }
  return position;
}

// The query with its bookmark turned into a skip, and the position it starts at.
function pagedQuery(body) {
  const query = JSON.parse(body.toString('utf8'));
  if (!query || typeof query !== 'object' || Array.isArray(query)) {
    throw new Error('the query must be a JSON object');
  }
  const start = typeof query.bookmark === 'string' && query.bookmark !== ''
    ? bookmarkPosition(query.bookmark) : (query.skip || 0);
  delete query.bookmark;
  query.skip = start;
  return query;
}

function findBookmarks(req, res, next) {
  if (req.method !== 'POST' || !/^\/[^/_][^/]*\/_find$/.test(req.path)) {
    return next();
  }
  let start = 0;
  onSend(res, (body, send) => {
    if (res.statusCode !== 200) {
      return send(body);
    }
    const result = JSON.parse(body.toString());
    result.bookmark = bookmark(start + result.docs.length);
    return send(Buffer.from(JSON.stringify(result)));
  });
  replaceBody(req, res, next, (body) => {
    const query = pagedQuery(body);
    start = query.skip;
    return query;
  });
}

function main() {
  const user = process.env.COUCHDB_USER;
  const password = process.env.COUCHDB_PASSWORD;
  if (!user || !password) {
    console.error('couchdb-server: set COUCHDB_USER and COUCHDB_PASSWORD (the server admin)');
    process.exit(2);
  }
  const pouchApp = expressPouchDB(PouchDB.defaults({adapter: 'memory'}), {
    inMemoryConfig: true,
    logPath: option('--log', '/dev/null'),
    overrideMode: {exclude: ['routes/fauxton']},
  });
  const app = express();
  app.use(revisionFromIfMatch, multipartPut, documentResponses, findBookmarks, pouchApp);
  pouchApp.couchConfig.set('admins', user, password, () => {
    const server = app.listen(Number(option('--port', '0')), HOST, () => {
      console.log(`listening ${HOST}:${server.address().port}`);
    });
  });
  process.on('SIGTERM', () => process.exit(0));
}

main();
