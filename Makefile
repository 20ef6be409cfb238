# raftudp — build, test and run. `make help` lists the targets.
SHELL := /bin/bash
# BMv2 and p4c where ../shared/p4tools/INSTALL.sh puts them (P4 tutorials VMs have them on PATH
# already); always on PATH, since tools/test-deps.sh may install them after make has started
export PATH := /opt/p4/bin:$(PATH)
MVN ?= mvn -B -q
SEEDS ?= 200
MUTANT_SEEDS ?= 2000
SEED ?=
NODES ?=
WIPES ?=

.PHONY: help build test sim chaos clean deps run demo stop scenarios testbed-deps testbed-jars hostile hostile-key hostile-jars

help:
	@echo "make build        compile and package raft-node.jar / raft-client.jar"
	@echo "make test         run every test: Maven suite, a 20 s hostile campaign and a 15 s keyed one, the planted Raft bugs, the Wireshark dissector, then (as root) the testbed scenarios on both backends"
	@echo "make sim SEEDS=N  run N simulation seeds; make sim SEED=S replays one seed with its trace"
	@echo "make chaos        nemesis campaign on real nodes (SEED=S MINUTES=M KINDS=kill,pause,...|all BACKEND=...)"
	@echo "                  WIPES=1: crashed machines may come back with an empty disk (shows what that breaks)"
	@echo "make hostile      hostile-traffic campaign on 3 loopback nodes under load (SEED=S SECONDS=N; default 8, 60 s)"
	@echo "make hostile-key  the same campaign against nodes with a cluster key, by an attacker without it (SEED, SECONDS)"
	@echo "make clean        remove build outputs"
	@echo "make run          boot the testbed (topology.json; BMv2 if installed, else Linux routers) and open the Mininet CLI"
	@echo "make demo         headless tour, narrated: every scenario (elect, redirect, failover, partition, loss+delay, restart, 1 MiB, values)"
	@echo "make scenarios    every headless scenario (SCENARIOS='network elect ...' for some; REQUIRE_JARS=1 for CI)"
	@echo "make stop         end everything the testbed started and delete its network namespace"
	@echo "make topology.png redraw the topology picture from topology.json (Graphviz)"
	@echo "                  BACKEND=auto|bmv2|linux  FAULTS=auto|netem|filter  (run, demo, scenarios)"

build:
	$(MVN) -DskipTests package
	cp target/raft-node.jar target/raft-client.jar .

# Every test: the Maven suite (unit, protocol, simulation seeds, wire fuzzing, storage crash
# tests, udp and in-memory clusters, pcap in network namespaces), a hostile campaign, the
# Wireshark dissector through tshark (golden vectors and a capture of a loopback cluster),
# the testbed's static checks, then the headless testbed scenarios on real jars (these need
# root; CI is root).
# `make test` notes when each part starts; tools/test-summary.sh prints how long each took.
# make test's short nemesis campaigns (one per backend, fixed seeds, and one of wiped followers
# and kills on Linux routers; long ones: make chaos).
CHAOS_SEED ?= 1
CHAOS_MINUTES ?= 1
part = mkdir -p target && echo "$$(date +%s) $(1)" >> target/test-times.log

test:
	@tools/test-deps.sh
	@rm -rf target/static-tests.log target/network-tests.log target/scenarios.log target/scenarios-bmv2.log target/hostile.log target/hostile-key.log target/wireshark-tests.log target/surefire-reports target/test-times.log target/mutants.log target/chaos-linux.log target/chaos-bmv2.log target/chaos-wipe.log target/chaos-mutant.log  # the summary adds up these
	@$(call part,maven suite)
	$(MVN) verify
	@$(call part,hostile campaign)
	$(MAKE) --no-print-directory hostile SECONDS=20 2>&1 | tee target/hostile.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }
	@$(call part,hostile campaign keyed)
	$(MAKE) --no-print-directory hostile-key SECONDS=15 2>&1 | tee target/hostile-key.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }
	@$(call part,planted bugs)
	tools/sim-mutants.sh $(MUTANT_SEEDS) 2>&1 | tee target/mutants.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }
	@$(call part,Wireshark dissector)
	$(PY) -m unittest discover -s tools/wireshark -p 'test_dissector.py' 2>&1 | tee target/wireshark-tests.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }
	@$(call part,testbed static checks)
	$(PY) -m unittest discover -s mininet/tests -p 'test_static.py' 2>&1 | tee target/static-tests.log; \
	  exit $${PIPESTATUS[0]}
	@if [ "$$(id -u)" = 0 ]; then \
	  $(call part,scenarios on Linux routers); \
	  $(MAKE) --no-print-directory scenarios BACKEND=linux REQUIRE_JARS=1 2>&1 | tee target/scenarios.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  if command -v simple_switch >/dev/null && command -v simple_switch_CLI >/dev/null && command -v p4c-bm2-ss >/dev/null; then \
	    $(call part,scenarios on BMv2); \
	    $(MAKE) --no-print-directory scenarios BACKEND=bmv2 REQUIRE_JARS=1 2>&1 | tee target/scenarios-bmv2.log; \
	    [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  elif [ -n "$$CI" ]; then \
	    echo "make test: BMv2 or p4c is missing, and CI must run the BMv2 scenarios (../shared/p4tools/INSTALL.sh)"; exit 2; \
	  else \
	    echo "make test: NOT RUN: the scenarios on BMv2 switches: simple_switch / p4c are not installed"; \
	    echo "           (../shared/p4tools/INSTALL.sh installs them into /opt/p4; see docs/testbed.md)"; \
	    echo "BMv2 scenarios NOT RUN" > target/scenarios-bmv2.log; \
	  fi; \
	  $(call part,chaos on Linux routers); \
	  $(MAKE) --no-print-directory chaos BACKEND=linux SEED=$(CHAOS_SEED) MINUTES=$(CHAOS_MINUTES) 2>&1 | tee target/chaos-linux.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  if command -v simple_switch >/dev/null && command -v p4c-bm2-ss >/dev/null; then \
	    $(call part,chaos on BMv2); \
	    $(MAKE) --no-print-directory chaos BACKEND=bmv2 SEED=$$(( $(CHAOS_SEED) + 1 )) MINUTES=$(CHAOS_MINUTES) 2>&1 | tee target/chaos-bmv2.log; \
	    [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  fi; \
	  $(call part,chaos wiped disks); \
	  $(MAKE) --no-print-directory chaos BACKEND=linux SEED=5 MINUTES=1 KINDS=wipe,kill 2>&1 | tee target/chaos-wipe.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  $(call part,chaos planted bug); \
	  tools/chaos-mutant.sh 2>&1 | tee target/chaos-mutant.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	  $(call part,testbed network tests); \
	  $(PY) -m unittest discover -s mininet/tests -p 'test_network.py' -v 2>&1 | tee target/network-tests.log; \
	  [ $${PIPESTATUS[0]} = 0 ] || { tools/test-summary.sh; exit 1; }; \
	elif [ -n "$$CI" ]; then \
	  echo "make test: the testbed scenarios need root, and CI must run them"; exit 2; \
	else \
	  echo "make test: SKIPPED the testbed scenarios: they need root (sudo make scenarios REQUIRE_JARS=1)"; \
	fi
	@$(call part,end)
	@tools/test-summary.sh

target/sim.classpath: pom.xml
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=target/sim.classpath -Dmdep.includeScope=test

sim: target/sim.classpath
	$(MVN) test-compile
	java -cp target/classes:target/test-classes:$$(cat target/sim.classpath) raftudp.sim.SimMain \
	  $(if $(SEED),--seed $(SEED),--seeds $(SEEDS)) $(if $(NODES),--nodes $(NODES),) $(if $(WIPES),--wipes,)

# Hostile traffic against real nodes (docs/hostile.md): the campaign's unit tests, then one
# fixed-seed run; `make test` runs a 20-second one, then a 15-second keyed one (hostile-key:
# the campaign alone, with --cluster-key). HOSTILE_OPTS adds options (tools/hostile/hostile.py
# --help), e.g. HOSTILE_OPTS=--cluster-key. Loopback only, no root needed.
HOSTILE_SEED ?= 8
SECONDS ?= 60
HOSTILE_OPTS ?=
hostile: hostile-jars
	$(PY) -m unittest discover -s tools/hostile -p 'test_hostile.py'
	$(PY) tools/hostile/hostile.py --seed $(or $(SEED),$(HOSTILE_SEED)) --seconds $(SECONDS) $(HOSTILE_OPTS)

hostile-key: hostile-jars
	$(PY) tools/hostile/hostile.py --seed $(or $(SEED),$(HOSTILE_SEED)) --seconds $(SECONDS) --cluster-key $(HOSTILE_OPTS)

# raft-node.jar, unless it is newer than the sources: copied from target/ when `mvn verify` just
# built it there, else `make build`.
hostile-jars:
	@fresh() { [ -f "$$1" ] && [ -z "$$(find pom.xml src/main -newer "$$1" -print -quit)" ]; }; \
	if ! fresh raft-node.jar; then \
	  if fresh target/raft-node.jar && [ -f target/raft-client.jar ]; then cp target/raft-node.jar target/raft-client.jar .; \
	  else $(MAKE) --no-print-directory build; fi; fi

clean:
	$(MVN) clean
	rm -f raft-node.jar raft-client.jar

# ---- testbed (mininet/, p4/, topology.json): see docs/testbed.md --------------------
# Mininet and its helpers run with the system python, which has Debian's mininet module.
PY := /usr/bin/python3
BACKEND ?= auto
FAULTS ?= auto
SCENARIOS ?=
REQUIRE_JARS ?=
TESTBED := $(PY) mininet/run.py
TESTBED_OPTS = --backend $(BACKEND) --faults $(FAULTS)

# What the goal needs (run: also xterm, graphviz, tcpdump); installs it as root on Debian/Ubuntu.
DEPS_FOR = $(if $(filter run,$(MAKECMDGOALS)),run,$(if $(filter chaos,$(MAKECMDGOALS)),chaos,scenarios))
testbed-deps:
	@[ -x $(PY) ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "$${RAFTUDP_NO_INSTALL:-}" ]; then \
	    echo "testbed: installing python3 (the runner)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3; \
	  fi; \
	  [ -x $(PY) ] || { echo "testbed: $(PY) is missing: apt-get install python3"; exit 2; }; }
	$(TESTBED) deps --install --purpose $(DEPS_FOR)

# Builds the jars when they are missing or older than the sources; the network runs without them.
testbed-jars:
	@if [ ! -f raft-node.jar ] || [ ! -f raft-client.jar ] || \
	    [ -n "$$(find pom.xml src/main -newer raft-node.jar -print -quit 2>/dev/null)" ]; then \
	  $(MAKE) build || echo "testbed: make build failed; the network still runs"; fi
	@for j in raft-node.jar raft-client.jar; do [ -f $$j ] || \
	  echo "testbed: $$j is not built yet: the network runs, Raft commands and scenarios will say so"; done

run: testbed-deps testbed-jars
	$(TESTBED) run $(TESTBED_OPTS)

demo: testbed-deps testbed-jars
	$(PY) -m unittest discover -s mininet/tests -p 'test_static.py'
	$(TESTBED) demo $(TESTBED_OPTS)

scenarios: testbed-deps testbed-jars
	$(PY) -m unittest discover -s mininet/tests -p 'test_static.py'
	$(TESTBED) scenarios $(SCENARIOS) $(TESTBED_OPTS) $(if $(REQUIRE_JARS),--require-jars,)

# The nemesis campaign (docs/chaos.md): SEED, MINUTES of faults, KINDS=kill,pause,... (or all),
# BACKEND. Its files (histories, events, summary.json, timeline.png) go to target/chaos/.
chaos: testbed-deps testbed-jars target/sim.classpath
	$(MVN) test-compile
	$(TESTBED) chaos --seed $(or $(SEED),1) --minutes $(or $(MINUTES),1) $(if $(KINDS),--kinds $(KINDS),) $(TESTBED_OPTS)

stop:
	$(TESTBED) stop

topology.png: topology.json mininet/draw_topology.py mininet/topo.py
	@command -v dot >/dev/null || [ "$$(id -u)" != 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends graphviz
	@command -v dot >/dev/null || { echo "topology.png: Graphviz is missing: sudo apt-get install graphviz"; exit 2; }
	$(PY) mininet/draw_topology.py $@
