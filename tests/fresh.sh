#!/usr/bin/env bash
# tests/fresh.sh (make check-fresh) — what CI on a clean machine sees: clones HEAD
# (committed work only) into a new temporary folder, with ../shared beside it as in
# the developer's checkout, and runs the README's two commands there:
#   make demo    the whole job on the shipped WIOD data
#   make check   every test (the Slurm test starts its own daemons from nothing)
# FRESH_PURGE=1 (root) first removes Debian's Slurm and munge packages and their
# state folders (/etc/slurm, /var/lib/slurm, /etc/munge, ...), so that the Slurm test
# installs and starts them from nothing as on a new machine (libraries such as
# libmunge2 stay: Open MPI's PMIx depends on them, purging them would remove MPI).
# FRESH_KEEP=1 keeps the clone; it is also kept when a command fails.
# Exit: 0 both commands passed, 1 otherwise.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$src/../shared" 2>/dev/null && pwd) || { echo "fresh: no ../shared beside $src" >&2; exit 1; }
if [[ ${FRESH_PURGE:-0} == 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "fresh: FRESH_PURGE=1 needs root" >&2; exit 1; }
    pk=$(dpkg-query -W -f='${Package} ${Status}\n' 2>/dev/null | awk '/ installed$/ && $1 ~ /slurm|munge/ && $1 !~ /^lib/ {print $1}')
    echo "fresh: purging ${pk:-no Slurm/munge packages} and their state folders"
    [[ -n $pk ]] && DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pk >/dev/null 2>&1
    rm -rf /etc/slurm /var/lib/slurm /var/spool/slurm* /var/log/slurm* /etc/munge /var/lib/munge /var/log/munge /run/munge
fi
top=$(mktemp -d "${TMPDIR:-/tmp}/silkflow-fresh.XXXXXX")
git clone -q "$src" "$top/silkflow" || { echo "fresh: git clone $src failed" >&2; exit 1; }
ln -s "$shared" "$top/shared"
cd "$top/silkflow" || exit 1
echo "fresh: $(git log -1 --format='%h %s') in $top/silkflow"
rc=0
for cmd in demo check; do
    t0=$(date +%s)
    if make "$cmd" >"$top/make-$cmd.log" 2>&1; then
        echo "fresh: make $cmd passed in $(($(date +%s) - t0)) s"
    else
        rc=1
        echo "fresh: make $cmd FAILED after $(($(date +%s) - t0)) s (log $top/make-$cmd.log):"
        grep -E '^(FAIL|    reason:|tests:|failed:)' "$top/make-$cmd.log" | head -n 30 | sed 's/^/    /'
        tail -n 15 "$top/make-$cmd.log" | sed 's/^/    | /'
    fi
done
grep -E '^tests:' "$top/make-check.log" | sed 's/^/fresh: /'
if ((rc == 0)) && [[ ${FRESH_KEEP:-0} != 1 ]]; then rm -rf "$top"; else echo "fresh: kept $top"; fi
exit $rc
