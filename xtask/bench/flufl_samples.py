#!/usr/bin/env python3
"""Failed recipients on bounces from outside the sisimai corpus (issue #6), run by
`cargo xtask bench bounces` after the timing harness.

flufl.bounce (GNU Mailman's bounce detector) ships 115 real-world bounce samples with the
failed addresses its maintainers expect for each (`DETECTORS` in tests/test_detectors.py of
its source distribution). They come from other MTAs and years than the sisimai set, so
they show how recipient finding carries over to mail we were not tuned on. The sdist is
downloaded from PyPI (as the benchmark installs flufl.bounce itself); nothing of it is
committed. For each sample: the set of failed addresses inboxlens reports, and sisimai
5.3.0's, against the table's. Our own code.
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import tarfile

VERSION = "6.0.0"

SISIMAI = r"""
use Sisimai::Mail; use Sisimai::Fact;
for my $path (@ARGV) {
  my $mail = Sisimai::Mail->new($path) or next;
  while (my $r = $mail->data->read) {
    my $facts = Sisimai::Fact->rise({data => $r, origin => $path, delivered => 1, vacation => 1}) || [];
    print "$path\t", lc($_->recipient->address), "\n" for @$facts;
  }
}
"""


def fetch(workdir):
    """The sdist's tests folder (downloaded once)."""
    root = f"{workdir}/flufl_bounce-{VERSION}"
    if not os.path.isdir(f"{root}/tests/data"):
        os.makedirs(workdir, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "-d", workdir, f"flufl.bounce=={VERSION}"],
            check=True,
        )
        with tarfile.open(f"{workdir}/flufl_bounce-{VERSION}.tar.gz") as t:
            try:
                t.extractall(workdir, filter="data")
            except TypeError:  # Python before 3.11.4 has no extraction filters
                t.extractall(workdir)
    return f"{root}/tests"


def expected(tests):
    """file name -> set of expected failed addresses, from the DETECTORS table."""
    tree = ast.parse(open(f"{tests}/test_detectors.py").read())
    table = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "DETECTORS"
    )
    want = {}
    for _module, name, addrs, _temporary in table:
        want.setdefault(name, set()).update(a.decode().lower() for a in addrs)
    return want


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--inboxlens", required=True)
    ap.add_argument("--sisimai-lib", required=True)
    ap.add_argument("--markdown", required=True)
    args = ap.parse_args()
    tests = fetch(args.workdir)
    want = expected(tests)
    paths = [f"{tests}/data/{name}" for name in sorted(want)]

    ours = {name: set() for name in want}
    out = subprocess.run([args.inboxlens, "--format", "jsonl", "bounces", *paths],
                         capture_output=True, text=True)
    for line in out.stdout.splitlines():
        r = json.loads(line)
        name = os.path.basename(r["file"].split("#")[0])
        ours[name].add((r.get("recipient") or "").lower())

    theirs = {name: set() for name in want}
    env = dict(os.environ, PERL5LIB=args.sisimai_lib)
    out = subprocess.run(["perl", "-e", SISIMAI, *paths], capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines():
        path, addr = line.split("\t", 1)
        theirs[os.path.basename(path)].add(addr)

    def score(got):
        return sum(1 for n in want if got[n] == want[n])

    with open(args.markdown, "w") as md:
        md.write(f"### Failed recipients on flufl.bounce {VERSION}'s own samples\n\n")
        md.write(
            f"{len(want)} real-world bounces from outside the sisimai set, each with the failed "
            "addresses flufl.bounce's maintainers expect (`DETECTORS` in its test suite). A "
            "sample counts when the set of addresses a tool reports equals the table's.\n\n"
        )
        md.write("| tool | samples with the expected recipients |\n|---|---:|\n")
        md.write(f"| inboxlens bounces | {score(ours)}/{len(want)} |\n")
        md.write(f"| sisimai 5.3.0 | {score(theirs)}/{len(want)} |\n\n")
        md.write(
            "Samples where inboxlens differs from the table. Where a report names both the "
            "address the sender used and the one delivery failed at (RFC 3464 Original- and "
            "Final-Recipient, Sendmail's \"expanded from\"), inboxlens reports the latter, "
            "as RFC 3464 §2.3.2 and the sisimai expectations do; the table lists both or the "
            "former. An auto-reply (RFC 3834) is a record of its own (`vacation`).\n\n"
        )
        md.write("| sample | table | inboxlens |\n|---|---|---|\n")
        for n in sorted(want):
            if ours[n] != want[n]:
                md.write(f"| {n} | {', '.join(sorted(want[n])) or '(none)'} | "
                         f"{', '.join(sorted(ours[n])) or '(none)'} |\n")
        md.write("\n")
    print(open(args.markdown).read())


if __name__ == "__main__":
    main()
