"""Kubernetes Secrets read like ConfigMaps: the environment a container takes from them
(``envFrom.secretRef``, ``env.valueFrom.secretKeyRef``) may name the services it calls."""
from __future__ import annotations

import base64

from interop_support import FIXTURES, links_of

from app.interop import import_files, preview_text

K8S = FIXTURES / "topology" / "k8s"

DEPLOYMENTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: api
        image: shop/api
        envFrom:
        - secretRef: {name: api-secrets}
        env:
        - name: CACHE
          valueFrom: {secretKeyRef: {name: shared, key: cache-host}}
        - name: QUEUE_PASSWORD
          valueFrom: {secretKeyRef: {name: broker-credentials, key: password, optional: true}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres}
spec:
  template: {spec: {containers: [{name: db, image: "postgres:16"}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis}
spec:
  template: {spec: {containers: [{name: redis, image: "redis:7"}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: search}
spec:
  template: {spec: {containers: [{name: search, image: "shop/search"}]}}
"""


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secrets(database_url: str = b64("postgres://shop:s3cret@postgres:5432/shop")) -> str:
    return f"""\
apiVersion: v1
kind: Secret
metadata: {{name: api-secrets}}
type: Opaque
data:
  DATABASE_URL: {database_url}
  TLS_KEY: {base64.b64encode(bytes([0x30, 0x82, 0xff, 0xfe])).decode()}
---
apiVersion: v1
kind: Secret
metadata: {{name: shared}}
data:
  cache-host: {b64("search")}
  other-host: {b64("search")}
stringData:
  cache-host: redis
---
apiVersion: v1
kind: Secret
metadata: {{name: unused}}
stringData: {{token: abc}}
"""


def imported(tmp_path, secret_text: str):
    (tmp_path / "deployments.yaml").write_text(DEPLOYMENTS)
    (tmp_path / "secrets.yaml").write_text(secret_text)
    return import_files([tmp_path / "deployments.yaml", tmp_path / "secrets.yaml"])


def test_secret_values_name_the_services_called(tmp_path):
    result = imported(tmp_path, secrets())
    # envFrom.secretRef: every value, base64 decoded; secretKeyRef: its key only, stringData over data
    assert {"api -> postgres", "api -> redis"} <= links_of(result.design)
    assert "api -> search" not in links_of(result.design)
    text = preview_text(result.notes)
    assert "calls were read from environment variables and arguments that name another service " \
           "(api -> postgres, api -> redis)" in text
    assert "secrets.yaml:20: Secret unused does not change how requests flow" in text
    assert "api-secrets does not change" not in text and "shared does not change" not in text


def test_a_secret_not_among_the_files_is_said_not_refused(tmp_path):
    result = imported(tmp_path, secrets())
    assert ("deployments.yaml:3: api takes environment values from Secret broker-credentials, which these files do "
            "not define (Secrets are often kept out of a repository); the calls it names are not read") \
        in preview_text(result.notes)


def test_a_value_that_is_not_base64_is_said_and_skipped(tmp_path):
    result = imported(tmp_path, secrets(database_url="not base64!"))
    assert "api -> postgres" not in links_of(result.design)
    assert ("secrets.yaml:3: Secret api-secrets: data.DATABASE_URL is not base64, which Kubernetes refuses; the "
            "calls it names are not read") in preview_text(result.notes)


def test_no_secret_value_is_shown(tmp_path):
    text = preview_text(imported(tmp_path, secrets()).notes)
    assert "s3cret" not in text and "postgres://" not in text and "abc" not in text


def test_the_shop_manifests_name_the_secret_they_leave_out():
    """api.yaml takes DB_PASSWORD from the Secret db, which the folder does not hold."""
    text = preview_text(import_files([K8S]).notes)
    assert "api takes environment values from Secret db, which these files do not define" in text
