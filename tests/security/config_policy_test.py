#!/usr/bin/env python3
"""Static security checks over config/ (what `weir install` applies).

Each check is one ctest test (the check name is the first argument) so a regression names the
claim of docs/security.md it breaks:
  rbac-no-wildcard-verbs        no Role/ClusterRole grants '*' verbs or '*' API groups
  rbac-per-controller           each controller has its own ServiceAccount and ClusterRole, bound to
                                that ServiceAccount only; only source-controller may write sources
  rbac-secrets-read-only        no controller may create/update/delete Secrets cluster-wide
  artifact-server-in-cluster    the artifact port of source-controller is reachable only from pods of
                                its own namespace (NetworkPolicy), through a ClusterIP Service
  no-insecure-flags             no Deployment passes a flag that turns TLS verification off
Usage: config_policy_test.py CHECK CONFIG_DIR
"""
import glob
import os
import sys

import yaml

CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller",
               "notification-controller", "image-automation-controller"]
APPLIERS = ["kustomize-controller", "helm-controller"]


def load(config):
    docs = []
    for path in sorted(glob.glob(os.path.join(config, "**", "*.yaml"), recursive=True)):
        if "/crd/" in path:
            continue
        with open(path) as f:
            for d in yaml.safe_load_all(f):
                if isinstance(d, dict) and d.get("kind"):
                    d["_file"] = os.path.relpath(path, config)
                    docs.append(d)
    return docs


def of_kind(docs, *kinds):
    return [d for d in docs if d["kind"] in kinds]


def where(d):
    return f"{d['_file']}: {d['kind']} {d['metadata'].get('name')}"


def rbac_no_wildcard_verbs(docs):
    errors = []
    roles = of_kind(docs, "Role", "ClusterRole")
    if not roles:
        return ["no Role or ClusterRole found: the check would pass vacuously"]
    for r in roles:
        for rule in r.get("rules") or []:
            if "*" in (rule.get("verbs") or []):
                errors.append(f"{where(r)} grants '*' verbs on {rule.get('resources')}")
            if "*" in (rule.get("apiGroups") or []):
                errors.append(f"{where(r)} grants resources of every API group ('*')")
            if "*" in (rule.get("nonResourceURLs") or []):
                errors.append(f"{where(r)} grants every non-resource URL")
    return errors


def grants(role, group, resource, verb):
    for rule in role.get("rules") or []:
        if group not in (rule.get("apiGroups") or []):
            continue
        res = rule.get("resources") or []
        if resource in res or ("*" in res and "/" not in resource):
            if verb in (rule.get("verbs") or []):
                return True
    return False


def rbac_per_controller(docs):
    errors = []
    sas = {d["metadata"]["name"] for d in of_kind(docs, "ServiceAccount")}
    roles = {d["metadata"]["name"]: d for d in of_kind(docs, "ClusterRole")}
    bindings = of_kind(docs, "ClusterRoleBinding", "RoleBinding")
    for c in CONTROLLERS:
        if c not in sas:
            errors.append(f"{c} has no ServiceAccount of its own")
        mine = [b for b in bindings if any(s.get("name") == c for s in b.get("subjects") or [])]
        if not mine:
            errors.append(f"{c}'s ServiceAccount is bound to nothing")
        for b in mine:
            # kustomize and helm apply whatever Git holds, so they are cluster-admin as in Flux;
            # tenants are confined by impersonation (serviceAccountName, --default-service-account).
            if b["roleRef"]["name"] == "cluster-admin" and c not in APPLIERS:
                errors.append(f"{where(b)} makes {c} cluster-admin")
            others = [s for s in b.get("subjects") or [] if s.get("name") != c]
            if others:
                errors.append(f"{where(b)} binds {c}'s role to other subjects too: {others}")
        for d in of_kind(docs, "Deployment"):
            if d["metadata"]["name"] == c:
                sa = d["spec"]["template"]["spec"].get("serviceAccountName")
                if sa != c:
                    errors.append(f"{where(d)} runs as ServiceAccount {sa!r}, not its own")
    # Only source-controller writes sources; the others read them (kustomize, helm) or annotate them
    # (notification receivers patch reconcile requests).
    for name, role in roles.items():
        owner = role["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")
        if owner in CONTROLLERS and owner != "source-controller" and owner != "helm-controller":
            for verb in ("create", "update", "delete"):
                if grants(role, "source.toolkit.fluxcd.io", "gitrepositories", verb):
                    errors.append(f"{where(role)} lets {owner} {verb} GitRepositories")
    return errors


def rbac_secrets_read_only(docs):
    errors = []
    for role in of_kind(docs, "ClusterRole", "Role"):
        for verb in ("create", "update", "patch", "delete", "deletecollection"):
            if grants(role, "", "secrets", verb):
                errors.append(f"{where(role)} may {verb} Secrets")
    return errors


def selects(policy, labels):
    sel = policy["spec"].get("podSelector") or {}
    return all(labels.get(k) == v for k, v in (sel.get("matchLabels") or {}).items()) and \
        not sel.get("matchExpressions")


def artifact_server_in_cluster(docs):
    errors = []
    dep = next((d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "source-controller"), None)
    if dep is None:
        return ["no source-controller Deployment in config/"]
    ns = dep["metadata"]["namespace"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"]: p["containerPort"] for c in dep["spec"]["template"]["spec"]["containers"]
             for p in c.get("ports") or []}
    if "http" not in ports:
        return ["source-controller has no 'http' (artifact) container port"]
    artifact = {"http", ports["http"]}
    for s in of_kind(docs, "Service"):
        if s["metadata"]["name"] == "source-controller" and s["spec"].get("type", "ClusterIP") != "ClusterIP":
            errors.append(f"{where(s)} is {s['spec']['type']}: the artifact server would leave the cluster")
    policies = [p for p in of_kind(docs, "NetworkPolicy")
                if p["metadata"].get("namespace") == ns and selects(p, labels)
                and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])]
    if not policies:
        errors.append("no NetworkPolicy restricts ingress to source-controller: every pod could fetch artifacts")
    for p in policies:
        for rule in p["spec"].get("ingress") or []:
            rule_ports = {x.get("port") for x in rule.get("ports") or []}
            if rule_ports and not (rule_ports & artifact):
                continue  # e.g. metrics scraping on 8080 only
            peers = rule.get("from")
            if not peers:
                errors.append(f"{where(p)} admits every source to the artifact port")
            for peer in peers or []:
                if "ipBlock" in peer or "namespaceSelector" in peer:
                    errors.append(f"{where(p)} admits {peer} to the artifact port, beyond namespace {ns}")
    return errors


INSECURE = ("insecure", "skip-tls", "tls-verify=false", "no-verify")


def no_insecure_flags(docs):
    errors = []
    deps = of_kind(docs, "Deployment")
    if not deps:
        return ["no Deployment found: the check would pass vacuously"]
    for d in deps:
        for c in d["spec"]["template"]["spec"]["containers"]:
            for arg in (c.get("args") or []) + (c.get("command") or []):
                if any(word in arg.lower() for word in INSECURE):
                    errors.append(f"{where(d)} passes {arg}")
    return errors


CHECKS = {
    "rbac-no-wildcard-verbs": rbac_no_wildcard_verbs,
    "rbac-per-controller": rbac_per_controller,
    "rbac-secrets-read-only": rbac_secrets_read_only,
    "artifact-server-in-cluster": artifact_server_in_cluster,
    "no-insecure-flags": no_insecure_flags,
}


def main():
    check, config = sys.argv[1], sys.argv[2]
    errors = CHECKS[check](load(config))
    for e in errors:
        print(f"{check}: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"{check}: ok")


if __name__ == "__main__":
    main()
