#!/bin/sh
# Registers the app's namespace once the server answers. Runs in temporalio/admin-tools, whose
# `temporal` CLI reads TEMPORAL_ADDRESS. Safe to re-run: an existing namespace is left as it is.
# Env: TEMPORAL_ADDRESS (host:port), NAMESPACE (default "default"), RETENTION (default 72h).
set -eu
namespace=${NAMESPACE:-default}
attempts=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 60 ]; then
    echo "create-namespace: Temporal at $TEMPORAL_ADDRESS is not healthy after 60 tries" >&2
    exit 1
  fi
  sleep 2
done
if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  echo "create-namespace: '$namespace' already exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "${RETENTION:-72h}"
  echo "create-namespace: '$namespace' created"
fi
