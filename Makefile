# raftudp — build, test and run. `make help` lists the targets.
SHELL := /bin/bash
MVN ?= mvn -B -q
SEEDS ?= 200
SEED ?=
NODES ?=

.PHONY: help build test sim clean deps

help:
	@echo "make build        compile and package raft-node.jar / raft-client.jar"
	@echo "make test         run every test (unit, simulation seeds, integration)"
	@echo "make sim SEEDS=N  run N simulation seeds; make sim SEED=S replays one seed with its trace"
	@echo "make clean        remove build outputs"

build:
	$(MVN) -DskipTests package
	cp target/raft-node.jar target/raft-client.jar .

test:
	$(MVN) verify

target/sim.classpath: pom.xml
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=target/sim.classpath -Dmdep.includeScope=test

sim: target/sim.classpath
	$(MVN) test-compile
	java -cp target/classes:target/test-classes:$$(cat target/sim.classpath) raftudp.sim.SimMain \
	  $(if $(SEED),--seed $(SEED),--seeds $(SEEDS)) $(if $(NODES),--nodes $(NODES),)

clean:
	$(MVN) clean
	rm -f raft-node.jar raft-client.jar
