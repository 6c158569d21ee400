'use strict';
// A CouchDB-compatible server for the state database of local peers:
// express-pouchdb (the HTTP layer of pouchdb-server) over in-memory PouchDB,
// on 127.0.0.1. Apache CouchDB cannot be installed on the machines the tests
// run on (no Debian package, no registry that serves it).
//
// Fabric's CouchDB client relies on four CouchDB behaviours express-pouchdb
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
//      document with the attachments inline, stored as any JSON PUT.
// Not provided: pouchdb-find answers _find without a bookmark and ignores one,
// so a rich query gets its first page only (the peer's internalQueryLimit,
// 1000 results by default) and a paginated rich query cannot go on.
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

function multipartPut(req, res, next) {
  const type = req.get('Content-Type') || '';
  const boundary = /^multipart\/related;\s*boundary="?([^";]+)"?/i.exec(type);
  if (req.method !== 'PUT' || !boundary || !isDocumentPath(req.path)) {
    return next();
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('error', next);
  req.on('end', () => {
    try {
      req.body = inlineAttachments(Buffer.concat(chunks), boundary[1]);
    } catch (error) {
      return res.status(400).json({error: 'bad_request', reason: error.message});
    }
    req._body = true; // body-parser leaves a parsed body alone
    req.headers['content-type'] = 'application/json';
    next();
  });
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
  const send = res.send;
  res.send = function (body) {
    res.send = send;
    let doc = null;
    if (res.statusCode === 200) {
      try {
        doc = JSON.parse(body.toString());
      } catch (notJSON) {
        doc = null;
      }
    }
    if (!doc || typeof doc._rev !== 'string') {
      return send.call(res, body);
    }
    res.set('ETag', `"${doc._rev}"`);
    const attached = doc._attachments && Object.values(doc._attachments).some((a) => a.data);
    if (attached && /multipart\/related/.test(req.get('Accept') || '')) {
      const multipart = multipartDocument(doc);
      res.set('Content-Type', multipart.contentType);
      return send.call(res, multipart.body);
    }
    return send.call(res, body);
  };
  next();
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
  app.use(revisionFromIfMatch, multipartPut, documentResponses, pouchApp);
  pouchApp.couchConfig.set('admins', user, password, () => {
    const server = app.listen(Number(option('--port', '0')), HOST, () => {
      console.log(`listening ${HOST}:${server.address().port}`);
    });
  });
  process.on('SIGTERM', () => process.exit(0));
}

main();
