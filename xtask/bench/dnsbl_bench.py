#!/usr/bin/env python3
"""DNSBL benchmark harness (issue #4), run by `cargo xtask bench`.

Times `inboxlens blocklist` and pydnsbl (PyPI) side by side, on the same 1,000 IPs x 8 lists
served by a local knot DNS server, alternating runs, and checks every answer of both tools
against the ground truth the zones were generated from. Writes a JSON result file; xtask
turns it into BENCHMARKS.md. Our own code (no third-party code is copied here).
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def load(workdir):
    with open(f"{workdir}/expected.json") as f:
        return json.load(f)


def run_inboxlens(args, exp):
    cmd = [args.inboxlens, "--db", f"{args.workdir}/bench.db", "--nameserver", args.ns,
           "--timeout", "2", "--format", "jsonl", "blocklist", "--from", f"{args.workdir}/ips.txt",
           "--lists", f"{args.workdir}/lists.toml", "--concurrency", str(args.concurrency)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"inboxlens failed ({p.returncode}): {p.stderr}")
    got = {}
    for line in p.stdout.splitlines():
        r = json.loads(line)
        for res in r["results"]:
            got[(r["target"], res["zone"])] = (res["status"], res["codes"])
    lost = misread = 0
    for ip in exp["ips"]:
        for zone in exp["zones"]:
            want = exp["listed"].get(f"{ip} {zone}")
            status, codes = got.get((ip, zone), ("missing", []))
            if status not in ("listed", "clean"):
                lost += 1
            elif (status == "listed") != (want is not None) or (want is not None and codes != [want]):
                misread += 1
    return elapsed, lost, misread


def pydnsbl_worker(args):
    """Runs in its own interpreter so both tools are timed as whole commands."""
    from pydnsbl import DNSBLIpChecker
    from pydnsbl.providers import Provider
    exp = load(args.workdir)
    checker = DNSBLIpChecker(providers=[Provider(z) for z in exp["zones"]], timeout=2, tries=2,
                             concurrency=args.concurrency)
    # pydnsbl has no nameserver option; set its aiodns resolver's servers (port 53 only).
    checker._resolver.nameservers = [args.ns]
    results = checker.bulk_check(exp["ips"])
    out = []
    for r in results:
        out.append({"ip": r.addr, "listed": sorted(r.detected_by.keys()),
                    "failed": sorted(p.host for p in r.failed_providers)})
    json.dump(out, sys.stdout)


def run_pydnsbl(args, exp):
    cmd = [sys.executable, __file__, "--worker", "--workdir", args.workdir, "--ns", args.ns,
           "--concurrency", str(args.concurrency)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"pydnsbl failed: {p.stderr}")
    got = {r["ip"]: r for r in json.loads(p.stdout)}
    lost = misread = 0
    for ip in exp["ips"]:
        r = got.get(ip)
        if r is None:
            lost += len(exp["zones"])
            continue
        lost += len(r["failed"])
        for zone in exp["zones"]:
            if zone in r["failed"]:
                continue
            want = f"{ip} {zone}" in exp["listed"]
            if (zone in r["listed"]) != want:
                misread += 1
    return elapsed, lost, misread


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--ns", default="127.0.0.2")
    ap.add_argument("--inboxlens")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--out")
    ap.add_argument("--markdown")
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    if args.worker:
        return pydnsbl_worker(args)
    exp = load(args.workdir)
    rows = {"inboxlens": [], "pydnsbl": []}
    for i in range(args.runs):
        for name, fn in (("inboxlens", run_inboxlens), ("pydnsbl", run_pydnsbl)):
            elapsed, lost, misread = fn(args, exp)
            rows[name].append({"seconds": elapsed, "lost": lost, "misread": misread})
            print(f"run {i + 1} {name:9} {elapsed:7.2f} s  lost {lost}  misread {misread}", file=sys.stderr)
    queries = len(exp["ips"]) * len(exp["zones"])
    summary = {"ips": len(exp["ips"]), "lists": len(exp["zones"]), "lookups": queries,
               "listed": len(exp["listed"]), "runs": args.runs, "concurrency": args.concurrency}
    for name, r in rows.items():
        med = statistics.median(x["seconds"] for x in r)
        summary[name] = {"median_seconds": med, "lookups_per_second": queries / med,
                         "lost": sum(x["lost"] for x in r), "misread": sum(x["misread"] for x in r),
                         "runs": r}
    summary["ratio"] = summary["inboxlens"]["lookups_per_second"] / summary["pydnsbl"]["lookups_per_second"]
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=2)
    with open(args.markdown, "w") as f:
        f.write(markdown(summary))


def markdown(s):
    i, p = s["inboxlens"], s["pydnsbl"]
    runs = lambda r: ", ".join(f"{x['seconds']:.2f}" for x in r["runs"])
    return (
        "## DNSBL checks: 1,000 IPs x 8 lists (issue #4)\n\n"
        f"{s['ips']} IPv4 addresses against {s['lists']} DNSBL zones ({s['lookups']} lookups, "
        f"{s['listed']} of them listed) served by knot DNS on 127.0.0.2:53; both tools at concurrency "
        f"{s['concurrency']}, timed as whole commands, alternating, {s['runs']} runs each; every answer "
        "checked against the ground truth the zones were generated from. inboxlens also probes each "
        "list's RFC 5782 test entries and fetches the TXT reason of every listing (work pydnsbl does not do).\n\n"
        "| tool | median s | lookups/s | lost answers | misread answers | runs (s) |\n"
        "|---|---:|---:|---:|---:|---|\n"
        f"| inboxlens blocklist (release) | {i['median_seconds']:.2f} | {i['lookups_per_second']:.0f} | {i['lost']} | {i['misread']} | {runs(i)} |\n"
        f"| pydnsbl 1.1.7 (PyPI) | {p['median_seconds']:.2f} | {p['lookups_per_second']:.0f} | {p['lost']} | {p['misread']} | {runs(p)} |\n\n"
        f"**Throughput ratio inboxlens / pydnsbl: {s['ratio']:.2f}x** (same run, same machine; the "
        "machine is shared and noisy, so compare ratios, not absolute numbers).\n"
    )


if __name__ == "__main__":
    main()
