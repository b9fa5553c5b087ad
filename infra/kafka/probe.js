#!/usr/bin/env node
// Readiness probe for infra/kafka.sh, with no npm dependencies: speaks just enough of the Kafka
// wire protocol to send ApiVersions v0 and Metadata v1 to one broker and check the answers.
// Usage: node probe.js HOST:PORT [timeoutMs] [warm]   -> exit 0 and prints a summary when the
// broker answers with no error and lists at least one live broker and a controller; exit 1
// otherwise. With "warm" it also asks for a group and a transaction coordinator until both are
// found, which makes a fresh broker create __consumer_offsets and __transaction_state now rather
// than on the first consumer (kafkajs consumers crash and restart once while those load).
// With MASH_PROBE_PRINCIPALS naming the broker's principals file (infra/kafka.sh sets it when the
// broker takes SASL/SCRAM), it authenticates as admin with SCRAM-SHA-512 before Metadata.
'use strict';
const net = require('net');
const crypto = require('crypto');
const fs = require('fs');

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
const timer = setTimeout(() => {
  sock.destroy();
  fail(`no answer in ${timeoutMs} ms`);
}, timeoutMs);
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
    try {
      handler(frame);
    } catch (e) {
      fail(`bad response: ${e.message}`);
    }
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
    if (process.env.MASH_PROBE_PRINCIPALS) authenticate(() => askMetadata(metadata));
    else askMetadata(metadata);
  });
  sock.write(request(18, 0, 1, Buffer.alloc(0)));
});

function askMetadata(metadata) {
  // Metadata v1 with a null topic array (= all topics).
  const body = Buffer.alloc(4);
  body.writeInt32BE(-1, 0);
  pending.push((m) => {
    let o = 4; // skip correlation_id
    const brokers = m.readInt32BE(o);
    o += 4;
    for (let i = 0; i < brokers; i++) {
      o += 4; // node_id
      o += 2 + m.readInt16BE(o); // host
      o += 4; // port
      const rackLen = m.readInt16BE(o);
      o += 2 + Math.max(rackLen, 0);
    }
    const controller = m.readInt32BE(o);
    o += 4;
    const topics = m.readInt32BE(o);
    if (brokers < 1) fail('no live broker in metadata yet');
    if (controller < 0) fail('no active controller yet');
    const summary = `brokers=${brokers} controller=${controller} topics=${topics} metadata=v${metadata[0]}-v${metadata[1]}`;
    if (mode === 'warm') warm(summary);
    else done(summary);
  });
  sock.write(request(3, 1, 2, body));
}

const kafkaString = (s) => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
};
const kafkaBytes = (b) => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
};

// SaslHandshake v1 (SCRAM-SHA-512), then the two SaslAuthenticate v0 rounds of RFC 5802.
function authenticate(next) {
  const file = JSON.parse(fs.readFileSync(process.env.MASH_PROBE_PRINCIPALS, 'utf8'));
  const user = 'admin';
  const password = file.principals && file.principals[user];
  if (!password) fail(`no ${user} password in ${process.env.MASH_PROBE_PRINCIPALS}`);
  const hmac = (key, data) => crypto.createHmac('sha512', key).update(data).digest();
  const saslAuthenticate = (correlationId, payload, onAnswer) => {
    pending.push((f) => {
      const err = f.readInt16BE(4);
      const msgLen = f.readInt16BE(6);
      const message = msgLen > 0 ? f.toString('utf8', 8, 8 + msgLen) : '';
      if (err !== 0) fail(`SaslAuthenticate error_code ${err} ${message}`);
      const o = 8 + Math.max(msgLen, 0);
      onAnswer(f.subarray(o + 4, o + 4 + f.readInt32BE(o)).toString('utf8'));
    });
    sock.write(request(36, 0, correlationId, kafkaBytes(Buffer.from(payload))));
  };
  pending.push((f) => {
    const err = f.readInt16BE(4);
    if (err !== 0) fail(`SaslHandshake error_code ${err} (does the listener take SCRAM-SHA-512?)`);
    const clientNonce = crypto.randomBytes(18).toString('base64');
    const firstBare = `n=${user},r=${clientNonce}`;
    saslAuthenticate(4, `n,,${firstBare}`, (serverFirst) => {
      const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
      if (!attrs.r || !attrs.r.startsWith(clientNonce)) fail('SCRAM server nonce does not extend ours');
      const salted = crypto.pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 64, 'sha512');
      const clientKey = hmac(salted, 'Client Key');
      const storedKey = crypto.createHash('sha512').update(clientKey).digest();
      const finalBare = `c=biws,r=${attrs.r}`;
      const authMessage = `${firstBare},${serverFirst},${finalBare}`;
      const signature = hmac(storedKey, authMessage);
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      saslAuthenticate(5, `${finalBare},p=${proof.toString('base64')}`, (serverFinal) => {
        const expected = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
        if (serverFinal !== `v=${expected}`) fail('SCRAM server signature does not match');
        next();
      });
    });
  });
  sock.write(request(17, 1, 3, kafkaString('SCRAM-SHA-512')));
}

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
