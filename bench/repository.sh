#!/usr/bin/env bash
# Repository write/read-path benchmark beside `tar | zstd -1 -T2` on the same PostgreSQL-like data.
# Usage: bench/repository.sh [MiB=1024] [threads=2] [zstd level=1]   (needs zstd: apt-get install -y zstd)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mib="${1:-1024}"; threads="${2:-2}"; level="${3:-1}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-$mib}"
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-bench -am package)
jar="$root/lifeboat-bench/target/lifeboat-bench.jar"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, Java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
java -jar "$jar" "$work" "$mib" "$threads" "$level"
if command -v zstd >/dev/null 2>&1; then
  sync
  start=$(date +%s.%N)
  tar -C "$work" -cf - data | zstd -q -1 -T"$threads" -o "$work/data.tar.zst" -f
  sync   # Lifeboat fsyncs every pack; make the comparison durable too
  end=$(date +%s.%N)
  bytes=$(du -sb "$work/data" | cut -f1)
  awk -v b="$bytes" -v s="$start" -v e="$end" -v z="$(stat -c %s "$work/data.tar.zst")" \
    'BEGIN { printf "tar|zstd -1 -T%d %.2f s  %.0f MB/s  (with sync; ratio %.2f, no encryption, no dedup)\n", '"$threads"', e-s, b/1e6/(e-s), b/z }'
  rm -f "$work/data.tar.zst"
else
  echo "zstd not installed: skipping the tar | zstd comparison (apt-get install -y zstd)"
fi
