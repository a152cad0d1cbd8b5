#!/usr/bin/env bash
# Repository write/read-path benchmark beside `tar | zstd -1 -T2` on the same PostgreSQL-like data.
# Usage: bench/repository.sh [MiB=1024] [threads=2] [zstd level=1] [repository parent dir=work dir]
#   (needs zstd: apt-get install -y zstd). Put the repository on tmpfs (/dev/shm) to leave the disk out.
# JVM flags as the ./lifeboat launcher uses them (parallel collector, 256 MiB young generation, huge pages); one warm-up backup first, so both the
# cold figure (what one CLI run sees) and the warm one (a long backup, or the agent) are printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mib="${1:-1024}"; threads="${2:-2}"; level="${3:-1}"
work="${LIFEBOAT_BENCH_DIR:-/tmp/lifeboat-bench-$mib}"
out="${4:-$work}"
(cd "$root" && mvn -B -q -DskipTests -pl lifeboat-bench -am package)
jar="$root/lifeboat-bench/target/lifeboat-bench.jar"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, Java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
thp=""; grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && thp="-XX:+UseTransparentHugePages"
java -XX:+UseParallelGC -Xmn256m $thp -Dbench.warmup=1 -jar "$jar" "$work" "$mib" "$threads" "$level" "$out"
if command -v zstd >/dev/null 2>&1; then
  sync
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/cpu.txt" sh -c "tar -C '$work' -cf - data | zstd -q -1 -T'$threads' -o '$out/data.tar.zst' -f"
  sync   # Lifeboat fsyncs every pack; make the comparison durable too
  end=$(date +%s.%N)
  bytes=$(du -sb "$work/data" | cut -f1)
  awk -v b="$bytes" -v s="$start" -v e="$end" -v z="$(stat -c %s "$out/data.tar.zst")" -v c="$(awk '{print $1+$2}' "$work/cpu.txt")" \
    'BEGIN { printf "tar|zstd -1 -T%d %.2f s  %.0f MB/s  (with sync; ratio %.2f, no encryption, no dedup; CPU %.2f ms per MB)\n", '"$threads"', e-s, b/1e6/(e-s), b/z, c*1000/(b/1e6) }'
  rm -f "$out/data.tar.zst" "$work/cpu.txt"
else
  echo "zstd not installed: skipping the tar | zstd comparison (apt-get install -y zstd)"
fi
