#!/usr/bin/env bash
# make-bundle.sh [--no-build] [OUT.tar.gz]
#
# Builds the GPU check bundle: one archive (at most 60 MiB) that runs on a Linux x86-64 machine
# with only an NVIDIA driver (no Java, no Maven, no network). It holds
#   runtime/            a jlink'ed Java 25 runtime with just the modules the jars need (jdeps)
#   ember.jar           the launcher with every module and dependency (benchmarks' shaded jar),
#                       minus JCuda's NVRTC/nvPTXCompiler natives, which Ember never loads
#   tests/*.jar         the test classes (runtime: CUDA, OpenCL and the device op suite; nn: DeviceWorkloadsTest)
#   junit-console.jar   JUnit Platform Console Standalone
#   lib/libOpenCL.so.1  the OpenCL ICD loader, used when the machine lacks one (the NVIDIA driver
#                       registers its OpenCL ICD but does not always install the loader)
#   gpu-check.sh OUTDIR runs the tests, the SGEMM-vs-cuBLAS run and `ember bench --quick`, writes
#                       Markdown + JSON to OUTDIR
#   gpu_peer.py         PyTorch's cuBLAS SGEMM and copy bandwidth, when the machine has PyTorch
#   tools/gemm_sweep    the SGEMM tile sweep of kernels/cuda/tune (built when nvcc is present)
#   tools/gemm_check    the shipped 128-tile SGEMMs' contract check and timing (kernels/cuda/tune, same)
#   tools/xent_sweep    softmax cross-entropy row-kernel variants against the shipped one (kernels/cuda/tune, same)
#
# Default OUT: benchmarks/target/ember-gpu-bundle.tar.gz. --no-build uses the jars already built
# (mvn -DskipTests package). Needs JAVA_HOME (a JDK 25 with jlink and jdeps), zip, and the
# dependencies in the local Maven repository (run once online: see JUNIT_CONSOLE below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD=1
OUT=""
for a in "$@"; do
  case "$a" in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) OUT="$a" ;;
  esac
done
OUT="${OUT:-$ROOT/benchmarks/target/ember-gpu-bundle.tar.gz}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
LIMIT=$((60 * 1024 * 1024))
M2="${M2_REPO:-$HOME/.m2/repository}"
JUNIT_CONSOLE_VERSION="${JUNIT_CONSOLE_VERSION:-1.14.1}"
JUNIT_CONSOLE="$M2/org/junit/platform/junit-platform-console-standalone/$JUNIT_CONSOLE_VERSION/junit-platform-console-standalone-$JUNIT_CONSOLE_VERSION.jar"

if [ "$BUILD" = 1 ]; then
  echo "[bundle] building jars (mvn -o -DskipTests package)"
  (cd "$ROOT" && mvn -o -q -DskipTests package)
fi
EMBER_JAR="$ROOT/benchmarks/target/ember.jar"
[ -f "$EMBER_JAR" ] || { echo "[bundle] $EMBER_JAR missing: build the benchmarks module first" >&2; exit 1; }
if [ ! -f "$JUNIT_CONSOLE" ]; then
  echo "[bundle] fetching junit-platform-console-standalone $JUNIT_CONSOLE_VERSION (once, needs the network)"
  mvn -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE_VERSION"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/ember-gpu-check"
mkdir -p "$STAGE/tests" "$STAGE/lib"

cp "$EMBER_JAR" "$STAGE/ember.jar"
# Ember loads only JCudaDriver and JCublas2 natives; NVRTC and nvPTXCompiler are 25 MB we never use.
zip -q -d "$STAGE/ember.jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/*JCusparse*' 2>/dev/null || true
for t in "$ROOT"/runtime/target/*-tests.jar "$ROOT"/nn/target/*-tests.jar; do
  [ -f "$t" ] && cp "$t" "$STAGE/tests/"
done
ls "$STAGE"/tests/*.jar >/dev/null 2>&1 || { echo "[bundle] no test jars (runtime/target/*-tests.jar)" >&2; exit 1; }
cp "$JUNIT_CONSOLE" "$STAGE/junit-console.jar"
for ocl in /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 /usr/lib64/libOpenCL.so.1; do
  if [ -f "$ocl" ]; then cp -L "$ocl" "$STAGE/lib/libOpenCL.so.1"; break; fi
done
cp "$ROOT/benchmarks/gpu-bundle/gpu-check.sh" "$STAGE/gpu-check.sh"
chmod +x "$STAGE/gpu-check.sh"
cp "$ROOT/benchmarks/gpu-bundle/gpu_peer.py" "$STAGE/gpu_peer.py"
# The SGEMM tile sweep (kernels/cuda/tune), when nvcc is here: a static binary for Ampere and Hopper.
if command -v "${NVCC:-nvcc}" >/dev/null 2>&1; then
  mkdir -p "$STAGE/tools"
  (cd "$ROOT/kernels/cuda/tune" && "${NVCC:-nvcc}" -O3 -std=c++17 --fmad=false -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_90,code=sm_90 -I../../src/main/resources/dev/ember/kernels gemm_sweep.cu \
    -o "$STAGE/tools/gemm_sweep") || echo "[bundle] gemm_sweep not built (nvcc failed); the check runs without it"
  (cd "$ROOT/kernels/cuda/tune" && "${NVCC:-nvcc}" -O3 -std=c++17 --fmad=false -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_90,code=sm_90 -I../../src/main/resources/dev/ember/kernels gemm_check.cu \
    -o "$STAGE/tools/gemm_check") || echo "[bundle] gemm_check not built (nvcc failed); the check runs without it"
  (cd "$ROOT/kernels/cuda/tune" && "${NVCC:-nvcc}" -O3 -std=c++17 --fmad=false -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_90,code=sm_90 -I../../src/main/resources/dev/ember/kernels xent_sweep.cu \
    -o "$STAGE/tools/xent_sweep") || echo "[bundle] xent_sweep not built (nvcc failed); the check runs without it"
else
  echo "[bundle] nvcc not found: the bundle has no gemm_sweep"
fi
git -C "$ROOT" rev-parse HEAD > "$STAGE/COMMIT" 2>/dev/null || echo unknown > "$STAGE/COMMIT"

# The modules the jars use (jdeps), plus those used reflectively or by flags: the Vector API
# (--add-modules), jdk.unsupported (Unsafe: LWJGL, JMH), java.management/jdk.management (JMH),
# jdk.zipfs (the JUnit console scans the test jars through the jar file system).
DEPS="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
  --class-path "$STAGE/junit-console.jar" "$STAGE/ember.jar" "$STAGE"/tests/*.jar "$STAGE/junit-console.jar" 2>/dev/null || true)"
MODULES="$(echo "${DEPS:-java.base},java.base,java.desktop,jdk.incubator.vector,jdk.unsupported,java.management,jdk.management,java.logging,java.xml,jdk.zipfs" \
  | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"
echo "[bundle] jlink modules: $MODULES"
# Uncompressed modules and stripped native symbols: gzip then packs the runtime smaller than jlink's zip-9.
# (--strip-debug would imply the native part and needs objcopy, so the Java part is stripped by name.)
STRIP="--strip-java-debug-attributes"
command -v objcopy >/dev/null 2>&1 && STRIP="$STRIP --strip-native-debug-symbols=exclude-debuginfo-files"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" $STRIP --no-man-pages --no-header-files \
  --compress zip-0 --output "$STAGE/runtime"
echo "$MODULES" > "$STAGE/runtime/MODULES"

mkdir -p "$(dirname "$OUT")"
tar -C "$WORK" -czf "$OUT" ember-gpu-check
SIZE=$(stat -c %s "$OUT")
echo "[bundle] $OUT: $((SIZE / 1024 / 1024)) MiB ($SIZE bytes)"
du -sh "$STAGE"/* | sed 's/^/[bundle]   /'
if [ "$SIZE" -gt "$LIMIT" ]; then
  echo "[bundle] larger than 60 MiB" >&2
  exit 1
fi
