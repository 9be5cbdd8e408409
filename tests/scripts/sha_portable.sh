#!/usr/bin/env bash
# SHA-256 without the SHA extensions (the portable block function).
set -euo pipefail
SF_NO_SHA_NI=1 "${BUILD:-build}/tests/test_common"
