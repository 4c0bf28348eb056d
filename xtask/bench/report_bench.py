#!/usr/bin/env python3
"""DMARC/TLS report benchmark harness (issue #7), run by `cargo xtask bench reports`.

Times `inboxlens reports --offline` side by side with parsedmarc 11.1.0 (PyPI, `--offline`)
on the same inputs, whole commands, alternating tools, median of the runs:
  * the report corpus x10: every sample of ../shared/corpus/{dmarc,tlsrpt} that parsedmarc
    reads (aggregate XML/.gz/.zip/mail, failure reports, TLS JSON/mail), copied ten times;
  * 500 synthetic aggregate reports (seeded): 300 XML, 100 .xml.gz, 100 report mails with a
    zipped report; 1 to 400 records each (a few large ones, like Google's).
Files/s = input files / wall time. Peak RSS from GNU time. Also inboxlens with one thread,
since parsedmarc parses in one process. Our own code.
"""
import argparse
import base64
import gzip
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile

TIME = ["/usr/bin/time", "-f", "PEAK-RSS-KB %M"]


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(TIME + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    err = p.stderr.decode(errors="replace")
    rss = 0.0
    for line in err.splitlines():
        if line.startswith("PEAK-RSS-KB "):
            rss = int(line.split()[1]) / 1024.0
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({p.returncode}): {err[-2000:]}")
    return elapsed, rss, p.stdout


def corpus_inputs(corpus, out):
    files = []
    for sub in ("dmarc/parsedmarc", "dmarc/mail-auth", "tlsrpt/parsedmarc", "tlsrpt/mail-auth"):
        d = os.path.join(corpus, sub)
        expected = json.load(open(os.path.join(d, "expected-parsedmarc-11.1.0.json")))
        files += [os.path.join(d, k) for k, v in sorted(expected.items()) if v.get("ok")]
    os.makedirs(out, exist_ok=True)
    n = 0
    for k in range(10):
        for i, f in enumerate(files):
            base = os.path.basename(f)
            ext = next((e for e in (".xml.gz", ".xml.zip", ".json.gz") if base.endswith(e)), os.path.splitext(base)[1])
            shutil.copyfile(f, os.path.join(out, f"c{k}-{i:03}{ext}"))
            n += 1
    return n


def record(rng, i):
    ip = f"{rng.choice([198, 203, 192])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    passing = rng.random() < 0.8
    dkim = "pass" if passing or rng.random() < 0.1 else "fail"
    spf = "pass" if passing and rng.random() < 0.9 else "fail"
    return f"""  <record>
    <row>
      <source_ip>{ip}</source_ip>
      <count>{rng.randrange(1, 500)}</count>
      <policy_evaluated><disposition>none</disposition><dkim>{dkim}</dkim><spf>{spf}</spf></policy_evaluated>
    </row>
    <identifiers><header_from>bench.example</header_from><envelope_from>bounce{i % 7}.bench.example</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>bench.example</domain><selector>s{i % 3}</selector><result>{dkim}</result></dkim>
      <spf><domain>bounce{i % 7}.bench.example</domain><scope>mfrom</scope><result>{spf}</result></spf>
    </auth_results>
  </record>
"""


def aggregate(rng, n):
    records = rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 150, 400])
    begin = 1795132800 + 86400 * (n % 30)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>reporter{n % 13}.example</org_name>
    <email>dmarc@reporter{n % 13}.example</email>
    <report_id>bench-{n}</report_id>
    <date_range><begin>{begin}</begin><end>{begin + 86399}</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>bench.example</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct><fo>1</fo>
  </policy_published>
{"".join(record(rng, i) for i in range(records))}</feedback>
""".encode()


def mail_with_zip(xml, n):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(f"reporter!bench.example!{n}.xml", date_time=(2026, 11, 1, 0, 0, 0)), xml)
    b64 = base64.encodebytes(buf.getvalue()).decode()
    return f"""From: dmarc@reporter.example
To: rua@bench.example
Subject: Report domain: bench.example Submitter: reporter.example Report-ID: bench-{n}
Date: Sun, 01 Nov 2026 00:00:00 +0000
Message-ID: <bench-{n}@reporter.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Aggregate report.

--b
Content-Type: application/zip
Content-Disposition: attachment; filename="reporter!bench.example!{n}.zip"
Content-Transfer-Encoding: base64

{b64}
--b--
""".encode()


def synthetic_inputs(out):
    rng = random.Random(7)
    os.makedirs(out, exist_ok=True)
    for n in range(500):
        xml = aggregate(rng, n)
        if n < 300:
            open(f"{out}/r{n:03}.xml", "wb").write(xml)
        elif n < 400:
            open(f"{out}/r{n:03}.xml.gz", "wb").write(gzip.compress(xml, mtime=0))
        else:
            open(f"{out}/r{n:03}.eml", "wb").write(mail_with_zip(xml, n))
    return 500


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--inboxlens", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    sets = [
        ("report corpus x10", f"{args.workdir}/corpus-x10", corpus_inputs(args.corpus, f"{args.workdir}/corpus-x10")),
        ("500 synthetic aggregate reports", f"{args.workdir}/synthetic", synthetic_inputs(f"{args.workdir}/synthetic")),
    ]
    rows = []
    for name, folder, files in sets:
        files_list = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        times = {"inboxlens": [], "inboxlens (1 thread)": [], "parsedmarc": []}
        rss = {k: 0.0 for k in times}
        for _ in range(args.runs):
            for tool in times:
                if tool == "parsedmarc":
                    out = f"{args.workdir}/pm-out"
                    shutil.rmtree(out, ignore_errors=True)
                    cmd = ["parsedmarc", "--offline", "-s", "-o", out] + files_list
                else:
                    cmd = [args.inboxlens, "--format", "jsonl", "reports", "--offline", folder]
                    if "1 thread" in tool:
                        cmd += ["--threads", "1"]
                t, r, stdout = run(cmd)
                times[tool].append(t)
                rss[tool] = max(rss[tool], r)
                if tool == "inboxlens":
                    got = len(stdout.splitlines())
                    if got != files:
                        sys.exit(f"inboxlens read {got} reports of {files} in {name}")
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append((name, files, med, rss))
    with open(args.markdown, "w") as md:
        md.write("## DMARC and TLS reports: inboxlens vs parsedmarc\n\n")
        md.write("`inboxlens reports --offline DIR` and `parsedmarc --offline -s -o OUT FILES…` (parsedmarc 11.1.0\n")
        md.write("from PyPI) on the same files; whole commands including start-up, alternating, median of\n")
        md.write(f"{args.runs} runs; files/s = input files / wall time; peak RSS from GNU time.\n\n")
        md.write("| input | files | tool | seconds | files/s | peak RSS | vs parsedmarc |\n|---|---:|---|---:|---:|---:|---:|\n")
        for name, files, med, rss in rows:
            for tool in ["inboxlens", "inboxlens (1 thread)", "parsedmarc"]:
                ratio = med["parsedmarc"] / med[tool]
                md.write(f"| {name} | {files} | {tool} | {med[tool]:.2f} | {files / med[tool]:.0f} | {rss[tool]:.0f} MiB | {ratio:.1f}× |\n")
        md.write("\nInputs: the corpus samples parsedmarc accepts (aggregate XML, .gz, .zip and report mail,\n")
        md.write("failure reports, TLS JSON and mail), ten copies each; synthetic reports generated with a fixed seed\n")
        md.write("(300 XML, 100 .xml.gz, 100 mails with a zipped report; 1-400 records each). Issue #7 asks for\n")
        md.write("at least 50x parsedmarc's files/s.\n")
    print(open(args.markdown).read())


if __name__ == "__main__":
    main()
