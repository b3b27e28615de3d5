"""What every PyKMIP client script of the tests shares: a ProxyKmipClient for the command line
HOST PORT CERT KEY CA, steps recorded as they pass or fail, and the report the test reads
(test/interop/support/pykmip-client.ts: one JSON object a line, exit 1 when a step failed).

Scripts elsewhere put this folder on sys.path before importing it.
"""
import json
import sys

from kmip.pie import client as pie_client

results = []


def step(name, fn):
    """Runs fn, records its value (or its error) under name and returns the value (None on error)."""
    try:
        value = fn()
        results.append({"step": name, "ok": True, "value": value})
        return value
    except Exception as e:  # noqa: BLE001 - reported to the test
        results.append({"step": name, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        return None


def record(name, ok, **fields):
    """Records a step the script judged itself (e.g. a refusal it expected)."""
    results.append(dict({"step": name, "ok": ok}, **fields))


def client(argv=None):
    """The ProxyKmipClient for HOST PORT CERT KEY CA (sys.argv by default), no PyKMIP config file."""
    host, port, cert, key, ca = (argv or sys.argv)[1:6]
    return pie_client.ProxyKmipClient(
        hostname=host, port=int(port), cert=cert, key=key, ca=ca, config_file="/dev/null"
    )


def report():
    """Prints every step and exits 0 only when all passed."""
    for r in results:
        print(json.dumps(r, default=str))
    sys.exit(0 if all(r["ok"] for r in results) else 1)
