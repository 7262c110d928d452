#!/bin/sh
# A benchmark agent: agent.sh <pidfile> <mode>. Writes its pid to <pidfile> (atomically) on start, then idles.
# mode plain: exits at once on SIGTERM; slow: honours SIGTERM after 0.5 s;
# grandchild: also starts a child that ignores SIGTERM (pid in <pidfile>.gc) to see who cleans it up.
echo $$ > "$1.tmp" && mv "$1.tmp" "$1"
c=
case "$2" in
  slow) trap 'sleep 0.5; kill $c 2>/dev/null; exit 0' TERM ;;
  grandchild)
    sh -c 'trap "" TERM; echo $$ > "$0.gc"; while :; do sleep 5; done' "$1" &
    trap 'kill $c 2>/dev/null; exit 0' TERM ;;
  *) trap 'kill $c 2>/dev/null; exit 0' TERM ;;
esac
while :; do
  sleep 100000 &
  c=$!
  wait $c
done
