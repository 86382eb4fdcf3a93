#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A test-only SAE (Secure Application Entity) client for an ETSI GS QKD 014 V1.1.1
(2019-02) key delivery API: HTTPS with mutual TLS, the three methods of clause 5 (Get
status, Get key, Get key with key IDs) and the data formats of clause 6, checked against
the JSON Schemas in testdata/etsi_qkd_014/. Written from the specification only, with
no code of the module, for the tests that run from the source tree; it is not installed.

Python's standard library and jsonschema only (Debian's python3-jsonschema); no GNU
Radio, no gnuradio.fiberkey."""
import base64
import http.client
import json
import os
import socket
import ssl
import urllib.parse

import jsonschema
import jsonschema.validators

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata",
                          "etsi_qkd_014")
API_PREFIX = "/api/v1/keys"  # clause 5: https://{KME_hostname}/api/v1/keys/...

_schemas = {}


def _is_json_integer(checker, instance):
    return isinstance(instance, int) and not isinstance(instance, bool)


# Draft-07 counts any number with no fraction (256.0) as an "integer"; the spec's
# integers are JSON integers, so a number that json parsed as a float is refused.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    type_checker=jsonschema.Draft7Validator.TYPE_CHECKER.redefine("integer",
                                                                  _is_json_integer))


def _sae_path(sae_id, method):
    """/api/v1/keys/{SAE_ID}/{method}, the SAE ID URL-encoded as the spec asks."""
    return "%s/%s/%s" % (API_PREFIX, urllib.parse.quote(str(sae_id), safe=""), method)


class SAE:
    """One SAE's HTTPS client to its KME. TLS 1.2 or later; the KME's certificate is
    checked against ca_file and against host (its name or IP address must be in the
    certificate). cert_file=None makes a client with no certificate (for the test that
    the KME refuses it)."""

    def __init__(self, host, port, cert_file, key_file, ca_file, timeout=10):
        self.host = host
        self.port = port
        self.timeout = timeout
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=ca_file)
        if cert_file is not None:
            ctx.load_cert_chain(certfile=cert_file, keyfile=key_file)
        self.context = ctx

    def request(self, method, path, body=None, query=None):
        """Sends one request on a new connection (closed after) and returns
        (status, json_or_None, raw_bytes). body: a dict or list is sent as JSON; str or
        bytes are sent as they are (for malformed-body tests); either way with
        Content-Type: application/json. query: a dict or a list of pairs, URL-encoded.
        json is None when the response is empty or not JSON. TLS and connection
        failures (e.g. a KME that refuses a client without a certificate) raise
        ssl.SSLError or OSError."""
        url = path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            if isinstance(body, bytes):
                payload = body
            elif isinstance(body, str):
                payload = body.encode("utf-8")
            else:
                payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                           context=self.context)
        try:
            conn.request(method, url, body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            status = resp.status
        finally:
            conn.close()
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            parsed = None
        return status, parsed, raw

    def status(self, slave_sae):
        """Get status (clause 5.1): GET .../{slave_SAE_ID}/status."""
        return self.request("GET", _sae_path(slave_sae, "status"))

    def get_enc_keys(self, slave_sae, number=None, size=None):
        """Get key (clause 5.2), GET form: .../{slave_SAE_ID}/enc_keys?number=&size=
        (each parameter only if given)."""
        query = {}
        if number is not None:
            query["number"] = number
        if size is not None:
            query["size"] = size
        return self.request("GET", _sae_path(slave_sae, "enc_keys"), query=query or None)

    def post_enc_keys(self, slave_sae, request_dict):
        """Get key (clause 5.2), POST form: a Key request (clause 6.2) as the body."""
        return self.request("POST", _sae_path(slave_sae, "enc_keys"), body=request_dict)

    def get_dec_keys(self, master_sae, key_id):
        """Get key with key IDs (clause 5.3), GET form: .../{master_SAE_ID}/dec_keys?key_ID=
        (one key ID)."""
        return self.request("GET", _sae_path(master_sae, "dec_keys"),
                            query={"key_ID": str(key_id)})

    def post_dec_keys(self, master_sae, key_ids):
        """Get key with key IDs (clause 5.3), POST form: key_ids is a list of key IDs
        (sent as {"key_IDs": [{"key_ID": ...}, ...]}) or a whole Key IDs object (clause
        6.4, a dict, sent as it is)."""
        if isinstance(key_ids, dict):
            body = key_ids
        else:
            body = {"key_IDs": [{"key_ID": str(k)} for k in key_ids]}
        return self.request("POST", _sae_path(master_sae, "dec_keys"), body=body)


def _schema(name):
    if name.endswith(".json"):
        name = name[:-len(".json")]
    if name.endswith(".schema"):
        name = name[:-len(".schema")]
    if name not in _schemas:
        with open(os.path.join(SCHEMA_DIR, name + ".schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        _schemas[name] = schema
    return _schemas[name]


def validate(obj, schema_name):
    """Validates obj against testdata/etsi_qkd_014/<schema_name>.schema.json (names:
    status, key_request, key_container, key_ids, error) with jsonschema's
    Draft7Validator, its "integer" made strict (256.0 is not an integer); raises
    jsonschema.ValidationError on the best-matching error."""
    _Validator(_schema(schema_name)).validate(obj)


def decode_keys(container):
    """The keys of a Key container (clause 6.3) as a list of (key_ID, key bytes), in
    order; the key is strict base64 (binascii.Error on a bad one)."""
    return [(k["key_ID"], base64.b64decode(k["key"], validate=True))
            for k in container["keys"]]


def plain_http_request(host, port, path):
    """Sends a plain-text HTTP/1.1 GET over a bare socket to a TLS port (5 s timeout) and
    says what happened: the status code (int) if the server answered in HTTP; "tls-alert"
    if it answered with TLS records (content type 0x15 alert, or 0x16 handshake);
    "closed" if it closed or reset the connection without a word; "timeout" if it neither
    answered nor closed within 5 s; "other" for any other bytes."""
    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json\r\n"
               "Connection: close\r\n\r\n" % (path, host, port)).encode("ascii")
    data = b""
    try:
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.settimeout(5)
            sock.sendall(request)
            while len(data) < 64:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
    except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
        pass
    except socket.timeout:
        if not data:
            return "timeout"
    if not data:
        return "closed"
    if data.startswith(b"HTTP/"):
        parts = data.split(b" ", 2)
        if len(parts) >= 2 and parts[1][:3].isdigit():
            return int(parts[1][:3])
        return "other"
    if data[0] in (0x15, 0x16) and len(data) >= 3 and data[1] == 0x03:
        return "tls-alert"
    return "other"
