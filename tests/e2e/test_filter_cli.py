"""End-to-end tests of `kiroku filter` (the filter-pattern engine as a grep-like command).

The binary is $KIROKU_BIN (the real `kiroku`), else $KIROKU_FILTER_BIN (the private test
binary built from tests/filter). Without either the tests fail: they must never be skipped.
"""

import gzip
import json
import os
import subprocess
import tempfile
import unittest


def binary():
    for var in ("KIROKU_BIN", "KIROKU_FILTER_BIN"):
        path = os.environ.get(var)
        if path:
            return path
    raise AssertionError("set KIROKU_BIN (or KIROKU_FILTER_BIN) to the kiroku executable")


def run(args, stdin=None):
    return subprocess.run([binary(), "filter", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


EVENTS = [
    {"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"},
     "responseElements": {"ConsoleLogin": "Failure"}, "n": 5},
    {"eventName": "AssumeRole", "userIdentity": {"type": "AWSService"}, "n": 150},
    {"eventName": "Decrypt", "userIdentity": {"type": "AssumedRole"}, "n": 7},
]


class FilterCliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.lines = os.path.join(self.dir.name, "events.jsonl")
        with open(self.lines, "w") as f:
            for e in EVENTS:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")

    def test_prints_matching_lines_and_exits_0(self):
        r = run(['{ $.eventName = "ConsoleLogin" }', self.lines])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        self.assertEqual(len(out), 1)
        self.assertEqual(json.loads(out[0])["eventName"], "ConsoleLogin")

    def test_no_match_exits_1(self):
        r = run(['{ $.eventName = "DeleteTrail" }', self.lines])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")

    def test_bad_pattern_exits_2_with_position(self):
        r = run(["{ $.n > 1 && }", self.lines])
        self.assertEqual(r.returncode, 2)
        self.assertIn("Invalid filter pattern at position 14", r.stderr)
        caret_line = r.stderr.splitlines()[-1]
        self.assertEqual(caret_line.index("^"), 2 + 13)

    def test_unreadable_file_exits_2(self):
        r = run(["ERROR", os.path.join(self.dir.name, "missing.log")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.log", r.stderr)

    def test_count(self):
        r = run(["--count", "{ $.n > 6 }", self.lines])
        self.assertEqual((r.returncode, r.stdout), (0, "2\n"), r.stderr)
        r = run(["--count", "{ $.n > 1000 }", self.lines])
        self.assertEqual((r.returncode, r.stdout), (1, "0\n"))

    def test_count_per_file_with_several_files(self):
        r = run(["-c", "{ $.n > 6 }", self.lines, self.lines])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), [f"{self.lines}:2", f"{self.lines}:2"])

    def test_stdin_and_terms(self):
        r = run(["ERROR -DEBUG"], stdin="ERROR one\nDEBUG ERROR two\nINFO three\nERROR four\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "ERROR one\nERROR four\n")

    def test_stdin_is_streamed(self):
        # A match is printed before standard input is closed (tail -f | kiroku filter ...).
        proc = subprocess.Popen([binary(), "filter", "ERROR"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            proc.stdin.write("INFO a\nERROR first\n")
            proc.stdin.flush()
            self.assertEqual(proc.stdout.readline(), "ERROR first\n")
            proc.stdin.write("ERROR second")  # no final newline
            proc.stdin.close()
            self.assertEqual(proc.stdout.read(), "ERROR second\n")
            self.assertEqual(proc.wait(timeout=30), 0)
        finally:
            proc.kill()
            proc.wait()

    def test_exclusion_pattern_after_double_dash(self):
        r = run(["--", "-DEBUG"], stdin="DEBUG a\nINFO b\n")
        self.assertEqual((r.returncode, r.stdout), (0, "INFO b\n"), r.stderr)

    def test_extract_delimited_fields(self):
        log = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534\n'
        r = run(["--extract", "[ip, user, ..., status = 4*, bytes > 1000]"], stdin=log)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {
            "$ip": "127.0.0.1", "$user": "Prod", "$3": "frank",
            "$4": "10/Oct/2000:13:25:15 -0700", "$5": "GET /index.html HTTP/1.0",
            "$status": "404", "$bytes": "1534"})

    def test_value_for_json_metric(self):
        r = run(["--value", "$.n", "{ $.n > 6 }", self.lines])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([json.loads(l) for l in r.stdout.splitlines()],
                         [{"$.n": "150"}, {"$.n": "7"}])

    def test_bad_value_expression_exits_2(self):
        r = run(["--value", "$nope", "[a, b]", self.lines])
        self.assertEqual(r.returncode, 2)
        self.assertIn("Invalid metric value '$nope'", r.stderr)

    def test_cloudtrail_export_is_split_into_records(self):
        path = os.path.join(self.dir.name, "123_CloudTrail_us-east-1_x.json.gz")
        with gzip.open(path, "wt") as f:
            json.dump({"Records": EVENTS}, f, indent=2)  # pretty-printed, as a test of splitting
        r = run(['{ $.userIdentity.type = "Root" || $.n = 7 }', path])
        self.assertEqual(r.returncode, 0, r.stderr)
        got = [json.loads(l)["eventName"] for l in r.stdout.splitlines()]
        self.assertEqual(got, ["ConsoleLogin", "Decrypt"])
        r = run(["-c", "", path])
        self.assertEqual(r.stdout, "3\n")

    def test_gzip_of_plain_lines(self):
        path = os.path.join(self.dir.name, "app.log.gz")
        with gzip.open(path, "wt") as f:
            f.write("ERROR a\nINFO b\n")
        r = run(["ERROR", path])
        self.assertEqual((r.returncode, r.stdout), (0, "ERROR a\n"), r.stderr)

    def test_large_input_on_several_threads_keeps_order(self):
        path = os.path.join(self.dir.name, "big.log")
        with open(path, "w") as f:
            for i in range(400000):
                f.write(f"line {i} {'ERROR' if i % 1000 == 0 else 'INFO'} padding-padding\n")
        r = run(["-j", "4", "ERROR", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        nums = [int(l.split()[1]) for l in r.stdout.splitlines()]
        self.assertEqual(nums, list(range(0, 400000, 1000)))


if __name__ == "__main__":
    unittest.main()
