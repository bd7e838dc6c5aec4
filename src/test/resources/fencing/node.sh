#!/bin/sh
# The "node" that ipmi_sim powers on: publishes its pid (atomically), then becomes a long sleep under the same pid.
echo $$ > "$1.tmp" && mv "$1.tmp" "$1"
exec sleep 100000
