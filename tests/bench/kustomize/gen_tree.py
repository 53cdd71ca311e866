#!/usr/bin/env python3
"""Writes a kustomize overlay tree of N Deployments (each with a Service and a ConfigMap generator
reference) into DIR: a base with the objects and an overlay with namespace, prefix, labels,
images, a generator and a targeted patch, the shape of a typical Flux monorepo overlay."""
import pathlib
import sys


def main():
    out, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    base = out / "base"
    base.mkdir(parents=True, exist_ok=True)
    docs = []
    for i in range(n):
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels: {{app: app-{i}}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
      - name: app
        image: ghcr.io/example/app:1.0.{i % 7}
        ports: [{{containerPort: 8080}}]
        envFrom: [{{configMapRef: {{name: shared-config}}}}]
        resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}
""")
    (base / "deployments.yaml").write_text("---\n".join(docs))
    (base / "kustomization.yaml").write_text("resources: [deployments.yaml]\n")
    overlay = out / "overlay"
    overlay.mkdir(exist_ok=True)
    (overlay / "kustomization.yaml").write_text("""resources: [../base]
namespace: prod
namePrefix: prod-
commonLabels: {env: prod}
commonAnnotations: {owner: platform}
images:
- name: ghcr.io/example/app
  newTag: 2.0.0
configMapGenerator:
- name: shared-config
  literals: [LOG_LEVEL=info, REGION=eu]
patches:
- target: {kind: Deployment}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          containers:
          - name: app
            env: [{name: MODE, value: prod}]
""")


if __name__ == "__main__":
    main()
