#!/usr/bin/env node
// Readiness probe for infra/kafka.sh, with no npm dependencies: speaks just enough of the Kafka
// wire protocol to send ApiVersions v0 and Metadata v1 to one broker and check the answers.
// Usage: node probe.js HOST:PORT [timeoutMs] [warm]   -> exit 0 and prints a summary when the
// broker answers with no error and lists at least one live broker and a controller; exit 1
// otherwise. With "warm" it also asks for a group and a transaction coordinator until both are
// found, which makes a fresh broker create __consumer_offsets and __transaction_state now rather
// than on the first consumer (kafkajs consumers crash and restart once while those load).
'use strict';
const net = require('net');

const [hostPort = '127.0.0.1:9092', timeoutArg = '3000', mode = ''] = process.argv.slice(2);
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
      const summary = `brokers=${brokers} controller=${controller} topics=${topics} metadata=v${metadata[0]}-v${metadata[1]}`;
      if (mode === 'warm') warm(summary);
      else done(summary);
    });
    sock.write(request(3, 1, 2, body));
  });
  sock.write(request(18, 0, 1, Buffer.alloc(0)));
});

function done(summary) {
  clearTimeout(timer);
  sock.removeAllListeners('close');
  sock.end();
  process.stdout.write(`${summary}\n`);
  process.exit(0);
}

// FindCoordinator v1 (key, key_type 0 = group, 1 = transaction) until error_code 0 for both, and
// InitProducerId v1 without a transactional id (what an idempotent producer sends first) until the
// broker has a block of producer ids (COORDINATOR_LOAD_IN_PROGRESS before that).
function warm(summary) {
  const pendingTypes = new Set([0, 1, 'pid']);
  const settle = (what) => {
    pendingTypes.delete(what);
    if (pendingTypes.size === 0) done(`${summary} coordinators=ready`);
  };
  const initPid = () => {
    const body = Buffer.alloc(6);
    body.writeInt16BE(-1, 0); // null transactional_id
    body.writeInt32BE(60000, 2); // transaction_timeout_ms
    pending.push((f) => {
      const err = f.readInt16BE(8);
      if (err === 0) settle('pid');
      else setTimeout(initPid, 200);
    });
    sock.write(request(22, 1, correlation++, body));
  };
  let correlation = 10;
  const ask = (keyType) => {
    const key = Buffer.from(keyType === 0 ? 'mash-kafka-probe' : 'mash-kafka-probe-tx');
    const body = Buffer.alloc(2 + key.length + 1);
    body.writeInt16BE(key.length, 0);
    key.copy(body, 2);
    body.writeInt8(keyType, 2 + key.length);
    pending.push((f) => {
      const err = f.readInt16BE(8); // after correlation_id and throttle_time_ms
      if (err === 0) {
        settle(keyType);
      } else {
        // 15 COORDINATOR_NOT_AVAILABLE / 14 COORDINATOR_LOAD_IN_PROGRESS while the topic is made
        setTimeout(() => ask(keyType), 200);
      }
    });
    sock.write(request(10, 1, correlation++, body));
  };
  ask(0);
  ask(1);
  initPid();
}
