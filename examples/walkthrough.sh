#!/usr/bin/env bash
# The spec's curl examples, in order, against a running stevedore (`npm start`), waiting for each
# task as a client must: an export or import runs in the background, so inspecting, importing or
# clearing before it finished would race it. Prints every request and its answer.
#   examples/walkthrough.sh                    # against http://127.0.0.1:8080
#   BASE=http://127.0.0.1:9000 examples/walkthrough.sh
# Needs curl. Exits non-zero when a request the walkthrough expects to succeed fails.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
JAR=$(mktemp)
trap 'rm -f "$JAR"' EXIT

say() { printf '\n$ %s\n' "$*" >&2; }

# req METHOD PATH [curl args...]: prints the answer; fails on a transport error or an HTTP status
# other than the one expected (EXPECT, default 200).
req() {
  local method=$1 path=$2 status
  shift 2
  say "curl -sq -X$method -b cookies.txt $* $BASE$path"
  status=$(curl -sq -o "$JAR.body" -w '%{http_code}' -X"$method" -b "$JAR" -c "$JAR" "$@" "$BASE$path")
  cat "$JAR.body"; echo
  if [ "$status" != "${EXPECT:-200}" ]; then
    echo "walkthrough: expected HTTP ${EXPECT:-200}, got $status" >&2
    exit 1
  fi
}

# wait_for KIND ID: re-reads the task list until task ID has completed (shown), or fails when it aborted.
wait_for() {
  local kind=$1 id=$2 task
  for _ in $(seq 1 120); do
    # One task per line: keys are sorted, so every task object starts with "cid".
    task=$(curl -sq -b "$JAR" "$BASE/api/v1/$kind/" | tr -d '\n' | sed 's/},{"cid"/}\n{"cid"/g' | grep -E "\"id\": *$id," || true)
    if printf '%s' "$task" | grep -Eq '"state": *"completed"'; then
      say "# $kind task $id completed"
      printf '%s\n' "$task"
      return 0
    fi
    if printf '%s' "$task" | grep -Eq '"state": *"aborted"'; then
      echo "walkthrough: $kind task $id was aborted: $task" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "walkthrough: $kind task $id did not finish within 60 s" >&2
  exit 1
}

# follow KIND ID: what a client does after submitting a task: list, poll progress, wait, clear.
follow() {
  local kind=$1 id=$2
  req GET "/api/v1/$kind/"
  say "curl -sq -m 5 -XGET -b cookies.txt $BASE/api/v1/$kind/progress"
  curl -sq -m 5 -b "$JAR" "$BASE/api/v1/$kind/progress" || true; echo
  wait_for "$kind" "$id"
  req DELETE "/api/v1/$kind/"
}

task_id() { sed -n 's/.*"id": *\([0-9][0-9]*\).*/\1/p' "$JAR.body" | head -1; }

# File operations
req GET /api/v1/sharefolder/
req GET /api/v1/sharefolder/test
EXPECT=400 req GET /api/v1/sharefolder/Public
req POST /api/v1/sharefolder/test/ -d '{"name":"new_folder", "is_dir":true}'
req POST /api/v1/sharefolder/test/new_folder/ -d '{"name":"new_file.json", "is_dir":false, "context": ""}'
req POST /api/v1/sharefolder/test/new_folder/ -d '{"name":"new_file.txt", "is_dir":false, "context":"I am context."}'
req DELETE /api/v1/sharefolder/test/new_folder/new_file.json
req DELETE /api/v1/sharefolder/test/new_folder/

# Export: a container from the demo image, then its archive (replacing one a previous run left)
curl -sq -o /dev/null -XDELETE "$BASE/api/v1/container/lxc/utest" || true
req POST /api/v1/container -d '{"type":"lxc","name":"utest","image":"demo","tag":"latest"}'
req POST /api/v1/container/lxc/utest/export -d '{"path": "test/c.tgz", "compress": true, "force": true}'
follow export "$(task_id)"

# Import: inspect the archive, then a new container from it
curl -sq -o /dev/null -XDELETE "$BASE/api/v1/container/lxc/utest_import" || true
req GET '/api/v1/import/test/?name=c.tgz'
req POST '/api/v1/import/test/?name=c.tgz' -d '{
  "type": "lxc", "name": "utest_import", "image": "utest",
  "network": {"hostname": "CustomHostName", "port": [[12345, 1234, "udp"]]},
  "resource": {"device": [["allow", "video4linux_(81)", "rw"]], "limit": {"cputime": 512, "cpuweight": 512, "memory": "768m"}},
  "volume": {"host": {"/var": {"bind": "/mnt/vol1", "ro": true}, "/tmp": {"bind": "/mnt/vol2", "ro": false}}}}'
follow import "$(task_id)"
req GET /api/v1/container/lxc/utest_import/all
rm -f "$JAR.body"
echo "walkthrough: every example answered as expected" >&2
