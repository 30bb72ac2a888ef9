#!/usr/bin/env bash
# `npm run deploy:local`: bootstrap LocalStack for CDK and deploy the same app as on AWS
# (infra/aws) with cdklocal. Extra arguments go to `cdklocal deploy`, e.g. `-c pollSeconds=10`.
set -euo pipefail
cd "$(dirname "$0")/../aws"

endpoint=${AWS_ENDPOINT_URL:-http://localhost:4566}
if ! curl -fsS "$endpoint/_localstack/health" >/dev/null 2>&1; then
  echo "LocalStack is not answering at $endpoint." >&2
  echo "Start it first: docker compose -f infra/localstack/docker-compose.yml up -d" >&2
  exit 1
fi

# LocalStack accepts any credentials; cdklocal drops AWS_* variables it is not told to keep.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-$AWS_REGION}
export AWS_ENVAR_ALLOWLIST=${AWS_ENVAR_ALLOWLIST:-AWS_REGION,AWS_DEFAULT_REGION,AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY}
# cdklocal honours a custom AWS_ENDPOINT_URL only together with an S3 endpoint.
if [[ -n "${AWS_ENDPOINT_URL:-}" && -z "${AWS_ENDPOINT_URL_S3:-}" ]]; then
  export AWS_ENDPOINT_URL_S3=http://s3.localhost.localstack.cloud:4566
fi

mkdir -p ../../cdk.out
cdklocal bootstrap
cdklocal deploy --require-approval never --outputs-file ../../cdk.out/localstack-outputs.json "$@"
echo "Outputs (ApiUrl, TableName, BucketName, ...): cdk.out/localstack-outputs.json"
