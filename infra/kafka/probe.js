#!/usr/bin/env node
// Readiness probe for infra/kafka.sh, with no npm dependencies: speaks just enough of the Kafka
// wire protocol to send ApiVersions v0 and Metadata v1 to one broker and check the answers.
// Usage: node probe.js HOST:PORT [timeoutMs]   -> exit 0 and prints a summary when the broker
// answers with no error and lists at least one live broker and a controller; exit 1 otherwise.
'use strict';
const net = require('net');

const [hostPort = '127.0.0.1:9092', timeoutArg = '3000'] = process.argv.slice(2);
const idx = hostPort.lastIndexOf(':');
const host = hostPort.slice(0, idx);
const port = Number(hostPort.slice(idx + 1));
const timeoutMs = Number(timeoutArg);
const CLIENT_ID = 'mash-kafka-probe';

function request(apiKey, apiVersion, correlationId, body) {
  const cid = Buffer.from(CLIENT_ID);
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(cid.length, 8);
  const payload = Buffer.concat([header, cid, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

function fail(msg) {
  process.stderr.write(`probe ${hostPort}: ${msg}\n`);
  process.exit(1);
}

const sock = net.connect({ host, port });
const timer = setTimeout(() => { sock.destroy(); fail(`no answer in ${timeoutMs} ms`); }, timeoutMs);
sock.on('error', (e) => fail(e.code || e.message));
sock.on('close', () => fail('connection closed before an answer'));

let buf = Buffer.alloc(0);
const pending = [];
sock.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 4) {
    const size = buf.readInt32BE(0);
    if (buf.length < 4 + size) break;
    const frame = buf.subarray(4, 4 + size);
    buf = buf.subarray(4 + size);
    const handler = pending.shift();
    try { handler(frame); } catch (e) { fail(`bad response: ${e.message}`); }
  }
});

sock.on('connect', () => {
  // ApiVersions v0: empty body. Response: correlation_id, error_code, [api_key min max].
  pending.push((f) => {
    const err = f.readInt16BE(4);
    if (err !== 0) fail(`ApiVersions error_code ${err}`);
    const n = f.readInt32BE(6);
    let metadata = null;
    for (let i = 0, o = 10; i < n; i++, o += 6) {
      if (f.readInt16BE(o) === 3) metadata = [f.readInt16BE(o + 2), f.readInt16BE(o + 4)];
    }
    if (!metadata) fail('broker does not offer Metadata');
    // Metadata v1 with a null topic array (= all topics).
    const body = Buffer.alloc(4);
    body.writeInt32BE(-1, 0);
    pending.push((m) => {
      let o = 4; // skip correlation_id
      const brokers = m.readInt32BE(o); o += 4;
      for (let i = 0; i < brokers; i++) {
        o += 4; // node_id
        o += 2 + m.readInt16BE(o); // host
        o += 4; // port
        const rackLen = m.readInt16BE(o); o += 2 + Math.max(rackLen, 0);
      }
      const controller = m.readInt32BE(o); o += 4;
      const topics = m.readInt32BE(o);
      if (brokers < 1) fail('no live broker in metadata yet');
      if (controller < 0) fail('no active controller yet');
      clearTimeout(timer);
      sock.removeAllListeners('close');
      sock.end();
      process.stdout.write(`brokers=${brokers} controller=${controller} topics=${topics} metadata=v${metadata[0]}-v${metadata[1]}\n`);
      process.exit(0);
    });
    sock.write(request(3, 1, 2, body));
  });
  sock.write(request(18, 0, 1, Buffer.alloc(0)));
});
