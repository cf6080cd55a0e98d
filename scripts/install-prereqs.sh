#!/usr/bin/env bash
# Installs what building and testing ChainKV needs, when it is missing: a JDK 17 (javac, not only a JRE:
# Chronicle Map compiles code at run time) and Maven, from Debian/Ubuntu packages. Does nothing when both
# are already there. CI runs it before the test command.
set -euo pipefail

if command -v javac >/dev/null && command -v mvn >/dev/null
then
    exit 0
fi

sudo=""
[[ "$(id -u)" == 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven
