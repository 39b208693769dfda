#!/usr/bin/env bash
# Run a command as a container of the rendered OpenClaw pod runs, on this machine (as root, for
# the tests): in a mount namespace of its own, chrooted into a root that holds only this machine's
# /usr, /etc, /dev and /proc (read-only, as the image's programs and a read-only root
# filesystem), the image's HOME /home/node (node's, read-only), and the pod's volumes at their
# mount paths; then as uid/gid 1000 with the supplementary group 1000 (the fsGroup), no
# capabilities and no new privileges, as `non_root_security` and `fsGroup: 1000` ask.
#
# usage: as_pod.sh COMMAND [ARG]...
# from the environment (removed before COMMAND runs; the rest is the container's env):
#   POD_ROOT     an empty folder that becomes the container's root
#   POD_MOUNTS   one mount a line, HOST_PATH:CONTAINER_PATH[:ro], or TARGET:CONTAINER_PATH:link
#                for a symbolic link (the image's /app links to the release's package, so that
#                Node finds the package's dependencies beside it)
#   POD_WORKDIR  where COMMAND starts (the image's WORKDIR)
set -euo pipefail
if [ "${1:-}" != --in-namespace ]; then
  exec unshare --mount --propagation private "$0" --in-namespace "$@"
fi
shift
root=$POD_ROOT
mount -t tmpfs -o mode=0755 pod-root "$root"
for dir in usr etc; do
  mkdir "$root/$dir"
  mount --bind "/$dir" "$root/$dir"
  mount -o remount,bind,ro "$root/$dir"
done
for dir in dev proc; do
  mkdir "$root/$dir"
  mount --rbind "/$dir" "$root/$dir"
done
for link in bin lib lib64 sbin; do
  [ -L "/$link" ] && ln -s "$(readlink "/$link")" "$root/$link"
done
mkdir -p "$root/home/node"
chown 1000:1000 "$root/home/node"
while IFS= read -r line; do
  [ -n "$line" ] || continue
  IFS=: read -r host target mode <<<"$line"
  if [ "${mode:-}" = link ]; then
    mkdir -p "$(dirname "$root$target")" && ln -s "$host" "$root$target"
    continue
  fi
  if [ -d "$host" ]; then mkdir -p "$root$target"; else mkdir -p "$(dirname "$root$target")" && touch "$root$target"; fi
  mount --bind "$host" "$root$target"
  if [ "${mode:-}" = ro ]; then mount -o remount,bind,ro "$root$target"; fi
done <<<"$POD_MOUNTS"
mount -o remount,ro "$root"
workdir=$POD_WORKDIR
unset POD_ROOT POD_MOUNTS POD_WORKDIR
exec /usr/sbin/chroot "$root" /usr/bin/setpriv --reuid 1000 --regid 1000 --groups 1000 --no-new-privs \
  --inh-caps -all --bounding-set -all /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@"
