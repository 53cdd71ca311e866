#!/usr/bin/env python3
"""Writes docs/benchmarks.md from a scripts/bench run: the side-by-side table, then each
benchmark's own output. Called by scripts/bench; not meant to be run by hand."""
import os
import sys

rows_file, out_dir, doc, machine, start, end, load_before, load_after, quick = sys.argv[1:10]

rows = [line.rstrip("\n").split("\t") for line in open(rows_file) if line.strip()]
sources = []
for r in rows:
    if r[4] and r[4] not in sources:
        sources.append(r[4])

lines = [
    "# Benchmarks",
    "",
    "Written by `make bench` (scripts/bench) from one run: every benchmark under tests/bench, each next",
    "to its reference measured in the same run on the same machine (`kubectl kustomize`, the git CLI,",
    "Go's text/template + Sprig built offline from Debian's Go packages). Flux's controllers cannot run",
    "here (no Kubernetes cluster), so their published figures are cited with their source instead; those",
    "were measured on other hardware (a 16-core GitHub runner with Kind), so read those ratios as orders",
    "of magnitude. Ratio = reference / weir: above 1, weir is faster or smaller.",
    "",
    f"- run: {start} to {end}{' (quick mode: WEIR_BENCH_QUICK=1, small sizes)' if quick == '1' else ''}",
    f"- machine: {machine}; load average {load_before} before, {load_after} after",
    "- the machine was shared with other developers' builds and tests during the run (2 cores), and every",
    "  benchmark ran under `nice -n 10`: absolute figures are pessimistic, ratios within one run hold",
    "",
    "| workload | weir | reference | ratio | machine |",
    "|---|---|---|---|---|",
]
short_machine = machine.split(",")[0].replace(" x ", " x ").strip()
for r in rows:
    workload, weir, ref, ratio, _ = r
    lines.append(f"| {workload} | {weir} | {ref} | {ratio} | {short_machine} |")
lines += ["", "References:", ""]
for s in sources:
    lines.append(f"- {s}")
lines += [
    "",
    "Memory: peak RSS from /usr/bin/time or /proc/<pid>/status (VmHWM), idle RSS from VmRSS 3 s after",
    "each binary reports ready. The 1,000-Kustomization load is tests/bench/kustomize-controller/run.sh:",
    "one GitRepository, 1,000 Kustomizations of 10 objects each (the shape of Flux's benchmark),",
    "`--concurrent 20` as in Flux's run and `--kube-api-qps 500`: at Flux's default of 50 the client-side",
    "rate limit bounds the run (a first apply of 10 objects is 26 API requests), on weir-apiserver.",
    "Flux's figures are the first table of flux-benchmark's RESULTS.md (Kustomizations each reconciling",
    "an app from its own OCIRepository: a Deployment scaled to zero, a ServiceAccount, a Service, an",
    "Ingress; duration from the push to all Ready; max memory of the controller). Flux publishes no idle",
    "memory per controller (its manifests request 64 MiB each).",
    "",
    "## Each benchmark's output",
    "",
]
order = ["kustomize", "git", "gotemplate", "helm", "kustomize-controller", "idle", "apiserver", "runtime",
         "notification", "image"]
for name in order:
    path = os.path.join(out_dir, name + ".txt")
    if not os.path.exists(path):
        continue
    lines += [f"### {name}", "", "```", open(path).read().rstrip(), "```", ""]

os.makedirs(os.path.dirname(os.path.abspath(doc)), exist_ok=True)
with open(doc, "w") as f:
    f.write("\n".join(lines) + "\n")
