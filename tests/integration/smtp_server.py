#!/usr/bin/env python3
"""A real SMTP server for svcreport's e-mail tests: aiosmtpd (Debian's
python3-aiosmtpd, installed by .ci/run), started by the test on a free port of
127.0.0.1 and stopped when the test closes its standard input.

Every message it accepts is parsed with Python's own e-mail parser (an
independent witness of what lettre wrote) and written as <n>.json into --out:
envelope, decoded and raw subject, headers, body, and each attachment's file
name, content type, size and SHA-256; the raw message as <n>.eml.

  --refuse ADDR        answer RCPT TO:<ADDR> with 550 (a refused recipient)
  --tempfail ADDR:N    answer RCPT TO:<ADDR> with 451 the first N times
  --starttls CERT KEY  offer and require STARTTLS with this certificate
  --auth USER:PASS     require AUTH (PLAIN/LOGIN), after STARTTLS when offered

Prints "READY <port>" once it accepts connections.
"""
import argparse
import email
import email.policy
import hashlib
import json
import os
import socket
import ssl
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, refuse, tempfail):
        self.out = out
        self.refuse = set(refuse)
        self.tempfail = dict(tempfail)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if self.tempfail.get(address, 0) > 0:
            self.tempfail[address] -= 1
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        raw_headers = email.message_from_bytes(raw, policy=email.policy.compat32)
        attachments = []
        for part in msg.iter_attachments():
            data = part.get_payload(decode=True) or b""
            attachments.append(
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "n": n,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(msg["subject"]),
            "raw_subject": str(raw_headers["Subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "message_id": str(msg["message-id"]),
            "date": str(msg["date"]),
            "body": body.get_content() if body is not None else None,
            "attachments": attachments,
            "tls": session.ssl is not None,
            "auth": (
                session.auth_data.login.decode()
                if isinstance(getattr(session, "auth_data", None), LoginPassword)
                else None
            ),
        }
        with open(os.path.join(self.out, "%03d.eml" % n), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.out, "%03d.json.tmp" % n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.out, "%03d.json" % n))
        return "250 2.0.0 Ok: queued as %d" % n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--refuse", action="append", default=[])
    p.add_argument("--tempfail", action="append", default=[])
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth")
    a = p.parse_args()
    tempfail = []
    for t in a.tempfail:
        addr, n = t.rsplit(":", 1)
        tempfail.append((addr, int(n)))
    kwargs = {}
    if a.starttls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.starttls[0], a.starttls[1])
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs.update(
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=bool(a.starttls),
        )
    handler = Handler(a.out, a.refuse, tempfail)
    port = free_port()
    c = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    c.start()
    print("READY %d" % port, flush=True)
    try:
        sys.stdin.read()  # until the test closes it (or dies)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
