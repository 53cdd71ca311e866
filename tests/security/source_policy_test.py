#!/usr/bin/env python3
"""Static security checks over weir's own sources (libs/, controllers/, cli/):
  tls-verify-off-only-on-request  TLS peer verification is turned off only where a user asked for
                                  it on an object (a kubeconfig's insecure-skip-tls-verify); no code
                                  sets an insecure option to true by itself
  constant-time-secret-compare    tokens, HMACs and MACs (receivers, weir-apiserver bearer tokens,
                                  SOPS and age MACs) are compared with CRYPTO_memcmp, never == or !=
Usage: source_policy_test.py CHECK SOURCE_DIR
"""
import os
import re
import sys

CODE_DIRS = ["libs", "controllers", "cli"]


def sources(root):
    for d in CODE_DIRS:
        for base, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith((".cpp", ".hpp")):
                    path = os.path.join(base, f)
                    yield os.path.relpath(path, root), open(path, errors="replace").read()


# Where verification may be switched off, and the user's request that switches it.
TLS_OFF_ALLOWED = {
    "libs/kube/src/tls.cpp": "cfg.insecure_skip_tls_verify",   # a kubeconfig's insecure-skip-tls-verify
    "libs/oci/src/http.cpp": "opts.insecure_skip_verify",      # an option no caller sets (checked below)
}
TLS_OFF = re.compile(r"verify_none|SSL_VERIFY_NONE|GIT_OPT_SET_SSL_CERT_LOCATIONS|CURLOPT_SSL_VERIFYPEER")
INSECURE_TRUE = re.compile(r"insecure_skip(_tls)?_verify\s*=\s*true|\.insecure_skip(_tls)?_verify\s*=\s*\(?\s*true")


def tls_verify_off_only_on_request(root):
    errors = []
    seen = False
    for path, text in sources(root):
        lines = text.splitlines()
        for n, line in enumerate(lines, 1):
            if TLS_OFF.search(line):
                seen = True
                allowed = TLS_OFF_ALLOWED.get(path)
                context = "\n".join(lines[max(0, n - 3):n])  # the line and the two before it
                if not allowed or allowed not in context:
                    errors.append(f"{path}:{n}: TLS verification turned off: {line.strip()}")
            if INSECURE_TRUE.search(line):
                errors.append(f"{path}:{n}: an insecure TLS option set to true by code: {line.strip()}")
    if not seen:
        errors.append("no TLS verification switch found at all: the check would pass vacuously")
    return errors


# Files that compare secrets, and the names their secrets go by.
SECRET_FILES = {
    "controllers/notification-controller/receiver_verify.cpp": r"token|given|hmac\([^)]*\)|signature",
    "libs/apiserver/src/api.cpp": r"opt\.token|token",
    "libs/sops/src/sops.cpp": r"stored|computed|mac",
    "libs/sops/src/age.cpp": r"mac|h\.mac",
}


def constant_time_secret_compare(root):
    errors = []
    for path, names in SECRET_FILES.items():
        full = os.path.join(root, path)
        if not os.path.exists(full):
            errors.append(f"{path} is gone: update this check")
            continue
        text = open(full).read()
        if "CRYPTO_memcmp" not in text and "equal_constant_time" not in text:
            errors.append(f"{path} compares secrets without CRYPTO_memcmp")
        compare = re.compile(rf"(\b({names})\s*[!=]=\s*[A-Za-z_\"])|([!=]=\s*\b({names})\b)")
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split("//")[0]
            if compare.search(code) and ".size()" not in code and "npos" not in code and "empty()" not in code:
                errors.append(f"{path}:{n}: secret compared with ==/!=: {line.strip()}")
    return errors


CHECKS = {
    "tls-verify-off-only-on-request": tls_verify_off_only_on_request,
    "constant-time-secret-compare": constant_time_secret_compare,
}


def main():
    check, root = sys.argv[1], sys.argv[2]
    errors = CHECKS[check](root)
    for e in errors:
        print(f"{check}: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"{check}: ok")


if __name__ == "__main__":
    main()
