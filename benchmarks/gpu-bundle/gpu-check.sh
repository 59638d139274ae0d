#!/bin/sh
# gpu-check.sh OUTDIR - Ember's GPU check, run from the unpacked bundle on a Linux x86-64 machine
# with an NVIDIA driver (no Java, Maven or network needed). It records the machine (nvidia-smi,
# uname), lists Ember's devices, runs the test suites (CUDA backend, OpenCL backend, and the
# device-parameterised op suite on every available device; then the CUDA tests again with the
# driver JIT-compiling the PTX instead of loading cubins), runs Ember's SGEMM against cuBLAS at
# 4096^3 (JMH VendorGemmBenchmark; plus PyTorch's cuBLAS and copy bandwidth through gpu_peer.py when
# the machine's python3 has PyTorch), runs `ember bench --quick`, and writes
#   OUTDIR/summary.md, OUTDIR/summary.json   the results in short
#   OUTDIR/junit/, OUTDIR/junit-ptx/          JUnit XML reports;  OUTDIR/tests*.txt  test trees
#   OUTDIR/vendor-gemm.json, OUTDIR/peer.json the SGEMM comparison (JMH JSON) and the PyTorch peer
#   OUTDIR/gemm-sweep.txt                     SGEMM tile variants (when the bundle has tools/gemm_sweep)
#   OUTDIR/gemm-check.txt                     shipped 128-tile SGEMMs checked and timed (tools/gemm_check)
#   OUTDIR/xent-sweep.txt                     softmax cross-entropy row-kernel variants (tools/xent_sweep)
#   OUTDIR/bench-64M/                         memory-bound ops on cuda:0 at 64M elements
#   OUTDIR/bench/                             the benchmark report (Markdown, JSON, charts)
# Exit code 0 when no test failed and the benchmark finished.
# Environment: EMBER_SKIP_TESTS=1, EMBER_SKIP_VENDOR=1, EMBER_SKIP_BENCH=1 skip a part;
# EMBER_SKIP_MEMBOUND=1 skips the 64M memory-bound run; EMBER_TEST_TIMEOUT, EMBER_VENDOR_TIMEOUT,
# EMBER_MEMBOUND_TIMEOUT, EMBER_BENCH_TIMEOUT (seconds; 1800, 900, 300, 5400) bound one;
# EMBER_VENDOR_JMH (JMH options, default "-f 2 -wi 3 -i 5"), EMBER_BENCH_ARGS (default "--quick")
# and EMBER_JAVA_OPTS (extra JVM flags for every run) adjust them.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1" || exit 2
OUT=$(cd "$1" && pwd)
JAVA="$HERE/runtime/bin/java"
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m ${EMBER_JAVA_OPTS:-}"
TESTS=$(ls "$HERE"/tests/*.jar | tr '\n' ':' | sed 's/:$//')
# Every runtime test class; of nn's, the one that trains on each device (the others are CPU-only
# and read files of the source tree). The JUnit console cannot mix a class-path scan with
# explicit selectors, so the runtime tests are selected by package.
NN_SELECT=""
ls "$HERE"/tests/*nn*-tests.jar >/dev/null 2>&1 && NN_SELECT="--select-class dev.ember.nn.DeviceWorkloadsTest"
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log() { echo "[gpu-check] $*"; }
# Runs "$@" for at most $1 seconds where timeout(1) exists; the exit status is 124 when it ran out.
bounded() {
  limit=$1; shift
  if command -v timeout >/dev/null 2>&1; then timeout -k 30 "$limit" "$@"; else "$@"; fi
}

# The system's OpenCL ICD loader if it has one, else the bundled one (NVIDIA's ICD is registered
# in /etc/OpenCL/vendors by the driver; without it OpenCL is reported unavailable, with the reason).
if ! { ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1'; } && [ -f "$HERE/lib/libOpenCL.so.1" ]; then
  EMBER_OPENCL_LIBRARY="$HERE/lib/libOpenCL.so.1"
  export EMBER_OPENCL_LIBRARY
fi

log "machine"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || echo "nvidia-smi failed or missing" >> "$OUT/nvidia-smi.txt"
GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
uname -a > "$OUT/uname.txt"
"$JAVA" -version > "$OUT/java.txt" 2>&1

log "devices"
"$JAVA" $FLAGS -jar "$HERE/ember.jar" devices 2>&1 | grep -v '^WARNING: ' > "$OUT/devices.txt"
cat "$OUT/devices.txt"

run_tests() { # reports-dir log-file extra-jvm-flags selector...
  dir=$1; logf=$2; extra=$3; shift 3
  # The launch trace names the kernel if a native OpenCL compiler aborts the JVM at its first launch.
  # shellcheck disable=SC2086
  bounded "${EMBER_TEST_TIMEOUT:-1800}" "$JAVA" $FLAGS -Dstdout.encoding=UTF-8 -Dember.trace.launches=true $extra -jar "$HERE/junit-console.jar" execute --disable-banner --disable-ansi-colors --details=tree --details-theme=unicode \
    --class-path "$HERE/ember.jar:$TESTS" --reports-dir "$dir" "$@" > "$logf" 2>&1
}

TEST_RC=0
PTX_RC=0
if [ "${EMBER_SKIP_TESTS:-0}" != 1 ]; then
  log "tests (every runtime test class and nn's DeviceWorkloadsTest; CUDA and OpenCL run where available)"
  # shellcheck disable=SC2086
  run_tests "$OUT/junit" "$OUT/tests.txt" "" --select-package dev.ember.runtime $NN_SELECT
  TEST_RC=$?
  log "CUDA tests with the PTX JIT path (-Dember.cuda.image=ptx)"
  run_tests "$OUT/junit-ptx" "$OUT/tests-ptx.txt" "-Dember.cuda.image=ptx" --select-package dev.ember.runtime.cuda \
    --select-package dev.ember.runtime.ops
  PTX_RC=$?
fi

VENDOR_RC=skipped
PEER_RC=skipped
if [ "${EMBER_SKIP_VENDOR:-0}" != 1 ] && grep -q '^[* ] cuda[:0-9]* *available' "$OUT/devices.txt"; then
  log "SGEMM 4096^3: Ember FP32, Ember TF32, cuBLAS (JMH VendorGemmBenchmark)"
  # shellcheck disable=SC2086
  bounded "${EMBER_VENDOR_TIMEOUT:-900}" "$JAVA" $FLAGS -cp "$HERE/ember.jar" org.openjdk.jmh.Main VendorGemm \
    ${EMBER_VENDOR_JMH:--f 2 -wi 3 -i 5} -foe false -rf json -rff "$OUT/vendor-gemm.json" > "$OUT/vendor-gemm.log" 2>&1
  VENDOR_RC=$?
  if command -v python3 >/dev/null 2>&1; then
    log "vendor peer through PyTorch (cuBLAS SGEMM, copy bandwidth)"
    bounded 300 python3 "$HERE/gpu_peer.py" "$OUT/peer.json" > "$OUT/peer.log" 2>&1
    PEER_RC=$?
  fi
  if [ -x "$HERE/tools/gemm_check" ]; then
    log "shipped 128-tile SGEMMs (tools/gemm_check: full contract against float64, then timed)"
    bounded 120 "$HERE/tools/gemm_check" > "$OUT/gemm-check.txt" 2>&1
  fi
  if [ -x "$HERE/tools/gemm_sweep" ]; then
    log "SGEMM tile sweep (tools/gemm_sweep: every variant checked against float64, then timed)"
    { bounded 120 "$HERE/tools/gemm_sweep" 4096; bounded 60 "$HERE/tools/gemm_sweep" 2048; } > "$OUT/gemm-sweep.txt" 2>&1
  fi
  if [ -x "$HERE/tools/xent_sweep" ]; then
    log "softmax cross-entropy sweep (tools/xent_sweep: each row-kernel variant checked against float64, then timed)"
    bounded 90 "$HERE/tools/xent_sweep" > "$OUT/xent-sweep.txt" 2>&1
    echo "xent_sweep exit code: $?" >> "$OUT/xent-sweep.txt"
  fi
fi

MEM_RC=skipped
if [ "${EMBER_SKIP_MEMBOUND:-0}" != 1 ] && grep -q '^[* ] cuda[:0-9]* *available' "$OUT/devices.txt"; then
  # Issue 4's bandwidth target is for sizes that fill the GPU: 64M floats (256 MB per tensor).
  log "memory-bound ops on cuda:0 at 64M elements"
  bounded "${EMBER_MEMBOUND_TIMEOUT:-300}" "$JAVA" $FLAGS -jar "$HERE/ember.jar" bench --quick --devices cuda:0 \
    --ops relu,relu_backward,sigmoid,add,sgd,adam,dropout,softmax_ce,bias_grad --sizes 64M,65536x1000,16384x4096,4194304x10 \
    --out "$OUT/bench-64M" > "$OUT/bench-64M.log" 2>&1
  MEM_RC=$?
fi

BENCH_RC=skipped
if [ "${EMBER_SKIP_BENCH:-0}" != 1 ]; then
  log "benchmark (ember bench ${EMBER_BENCH_ARGS:---quick})"
  # shellcheck disable=SC2086
  bounded "${EMBER_BENCH_TIMEOUT:-5400}" "$JAVA" $FLAGS -jar "$HERE/ember.jar" bench ${EMBER_BENCH_ARGS:---quick} \
    --out "$OUT/bench" > "$OUT/bench.log" 2>&1
  BENCH_RC=$?
fi

# One line per test case: STATUS<TAB>class<TAB>name, from the JUnit XML reports.
cases() {
  [ -d "$1" ] || return 0
  cat "$1"/*.xml 2>/dev/null | tr '\n\r' '  ' | sed 's/<testcase /\n<testcase /g' | grep '^<testcase ' | while IFS= read -r tc; do
    name=$(echo "$tc" | sed -n 's/^<testcase name="\([^"]*\)".*/\1/p')
    cls=$(echo "$tc" | sed -n 's/.* classname="\([^"]*\)".*/\1/p' | head -c 200)
    case "$tc" in
      *"<failure"*) st=FAILED ;;
      *"<error"*) st=ERROR ;;
      *"<skipped"*) st=SKIPPED ;;
      *) st=PASSED ;;
    esac
    printf '%s\t%s\t%s\n' "$st" "$cls" "$name"
  done
}
cases "$OUT/junit" > "$OUT/cases.tsv"
cases "$OUT/junit-ptx" > "$OUT/cases-ptx.tsv"
count() { c=$(grep -c "^$1	" "$2" 2>/dev/null); echo "${c:-0}"; }
# Passed invocations on a device, from the test tree (display names carry the device; the XML does not).
ran_on() { c=$(grep -c -E "[ ]$1[^ ]* ✔" "$2" 2>/dev/null); echo "${c:-0}"; }
jesc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\t' ' '; }

P=$(count PASSED "$OUT/cases.tsv"); F=$(count FAILED "$OUT/cases.tsv"); E=$(count ERROR "$OUT/cases.tsv")
S=$(count SKIPPED "$OUT/cases.tsv")
PP=$(count PASSED "$OUT/cases-ptx.tsv"); PF=$(count FAILED "$OUT/cases-ptx.tsv"); PE=$(count ERROR "$OUT/cases-ptx.tsv")
PS=$(count SKIPPED "$OUT/cases-ptx.tsv")
ON_CUDA=$(ran_on 'cuda:' "$OUT/tests.txt"); ON_OPENCL=$(ran_on 'opencl:' "$OUT/tests.txt")
END=$(date -u +%Y-%m-%dT%H:%M:%SZ)

{
  echo "# Ember GPU check"
  echo
  echo "- Started $START, finished $END (UTC); bundle commit $(cat "$HERE/COMMIT")"
  echo "- GPU: ${GPU:-unknown (nvidia-smi failed)}"
  echo "- Host: $(uname -srm)"
  echo
  echo "## Devices"
  echo
  echo '```'
  cat "$OUT/devices.txt"
  echo '```'
  echo
  echo "## Tests"
  echo
  echo "| run | passed | failed | errors | skipped | passed on cuda | passed on opencl |"
  echo "|---|---|---|---|---|---|---|"
  echo "| runtime tests + nn DeviceWorkloadsTest (cubins where packed) | $P | $F | $E | $S | $ON_CUDA | $ON_OPENCL |"
  echo "| CUDA + op suite, PTX JIT path | $PP | $PF | $PE | $PS | $(ran_on 'cuda:' "$OUT/tests-ptx.txt") | - |"
  echo
  for pair in "the runtime and workload tests:$TEST_RC:tests.txt" "PTX JIT path:$PTX_RC:tests-ptx.txt"; do
    what=${pair%%:*}; rest=${pair#*:}; rc=${rest%%:*}; logf=${rest#*:}
    # 124: timed out; 128 + n: killed by signal n (134 = SIGABRT, e.g. a native OpenCL compiler's assertion)
    if [ "$rc" = 124 ] || [ "$rc" -gt 128 ] 2>/dev/null; then
      echo "**The test JVM for $what ended without a report (exit $rc$([ "$rc" = 124 ] && echo ', time limit')$([ "$rc" = 134 ] && echo ', aborted by native code')$([ "$rc" = 137 ] && echo ', killed: the time limit plus its grace period, or out of memory')).** Last lines of $logf:"
      echo
      echo '```'
      grep -v '^WARNING: ' "$OUT/$logf" | tail -n 8
      echo '```'
      echo
    fi
  done
  if [ "$((F + E + PF + PE))" -gt 0 ]; then
    echo "### Failures"
    echo
    grep -h -E '^(FAILED|ERROR)' "$OUT/cases.tsv" "$OUT/cases-ptx.tsv" | awk -F'\t' '{print "- " $1 " " $2 " " $3}'
    echo
    echo "(details in tests.txt and tests-ptx.txt)"
    echo
  fi
  echo "## SGEMM 4096^3 against cuBLAS"
  echo
  echo "JMH VendorGemmBenchmark exit code: $VENDOR_RC (vendor-gemm.json, vendor-gemm.log); PyTorch peer: $PEER_RC (peer.json)."
  if [ -f "$OUT/vendor-gemm.log" ]; then
    echo
    echo '```'
    sed -n '/^Benchmark /,$p' "$OUT/vendor-gemm.log"
    echo '```'
  fi
  if [ -f "$OUT/peer.json" ]; then
    echo
    echo '```'
    cat "$OUT/peer.json"
    echo '```'
  fi
  if [ -f "$OUT/gemm-sweep.txt" ]; then
    echo
    echo '```'
    cat "$OUT/gemm-sweep.txt"
    echo '```'
  fi
  if [ -f "$OUT/xent-sweep.txt" ]; then
    echo
    echo "## Softmax cross-entropy row-kernel sweep (xent-sweep.txt)"
    echo
    echo '```'
    cat "$OUT/xent-sweep.txt"
    echo '```'
  fi
  echo
  echo "## Memory-bound ops at 64M elements on cuda:0"
  echo
  echo "exit code: $MEM_RC; report in bench-64M/, log in bench-64M.log."
  [ -f "$OUT/bench-64M/results.md" ] && { echo; sed -n '/^## Results/,/^## Crossover/p' "$OUT/bench-64M/results.md" | sed '$d'; }
  echo
  echo "## Benchmark"
  echo
  echo "ember bench --quick exit code: $BENCH_RC; report in bench/ (see bench/*.md), log in bench.log."
  for f in "$OUT"/bench/*.md; do [ -f "$f" ] && { echo; cat "$f"; }; done
} > "$OUT/summary.md"

{
  printf '{\n'
  printf '  "started": "%s",\n  "finished": "%s",\n' "$START" "$END"
  printf '  "commit": "%s",\n' "$(jesc "$(cat "$HERE/COMMIT")")"
  printf '  "gpu": "%s",\n' "$(jesc "${GPU:-}")"
  printf '  "host": "%s",\n' "$(jesc "$(uname -srm)")"
  printf '  "devices": ['
  sep=""
  while IFS= read -r line; do printf '%s\n    "%s"' "$sep" "$(jesc "$line")"; sep=","; done < "$OUT/devices.txt"
  printf '\n  ],\n'
  printf '  "tests": {"passed": %s, "failed": %s, "errors": %s, "skipped": %s, "passed_on_cuda": %s, "passed_on_opencl": %s, "exit_code": %s},\n' \
    "$P" "$F" "$E" "$S" "$ON_CUDA" "$ON_OPENCL" "$TEST_RC"
  printf '  "tests_ptx_jit": {"passed": %s, "failed": %s, "errors": %s, "skipped": %s, "exit_code": %s},\n' \
    "$PP" "$PF" "$PE" "$PS" "$PTX_RC"
  printf '  "failures": ['
  sep=""
  grep -h -E '^(FAILED|ERROR)' "$OUT/cases.tsv" "$OUT/cases-ptx.tsv" | while IFS= read -r line; do
    printf '%s\n    "%s"' "$sep" "$(jesc "$line")"; sep=","
  done
  printf '\n  ],\n'
  printf '  "vendor_gemm": {"exit_code": "%s", "jmh": "vendor-gemm.json", "peer_exit_code": "%s", "peer": "peer.json"},\n' \
    "$VENDOR_RC" "$PEER_RC"
  printf '  "memory_bound_64M": {"exit_code": "%s", "dir": "bench-64M"},\n' "$MEM_RC"
  printf '  "bench": {"exit_code": "%s", "dir": "bench"}\n' "$BENCH_RC"
  printf '}\n'
} > "$OUT/summary.json"

log "summary in $OUT/summary.md and $OUT/summary.json"
cat "$OUT/summary.md" | sed -n '1,30p'
# A test JVM that timed out (124) or died on a signal (128 + n) wrote no report to count.
for rc in "$TEST_RC" "$PTX_RC"; do
  if [ "$rc" = 124 ] || [ "$rc" -gt 128 ]; then
    log "a test JVM ended without a report (exit $rc): see summary.md"
    exit 1
  fi
done
if [ "${EMBER_SKIP_TESTS:-0}" != 1 ] && [ "$((P + F + E + S))" -eq 0 ]; then
  log "no test ran: see $OUT/tests.txt"
  exit 1
fi
if [ "$((F + E + PF + PE))" -gt 0 ] || { [ "$BENCH_RC" != 0 ] && [ "$BENCH_RC" != skipped ]; }; then
  exit 1
fi
exit 0
