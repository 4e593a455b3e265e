# tlspipe: the front door. `make figures` draws every figure from the default spec,
# `make test` runs every test, `make bench` prints the benchmarks.
SWIFT    ?= swift
JOBS     ?= 2
RELEASE  := .build/release
TLSPIPE  := $(RELEASE)/tlspipe
# One BLAS thread per stage: the driver runs stages (and stages their batches) in parallel,
# and pinned threads keep numbers reproducible.
export OPENBLAS_NUM_THREADS ?= 1
# Where stages run: local (this machine, JOBS at once) or slurm (`make paper EXECUTOR=slurm
# SLURM_PROFILE=slurm.json`: one job per stage, one job array per sharded stage).
EXECUTOR ?= local
SLURM_PROFILE ?=
ifeq ($(EXECUTOR),slurm)
RUN_FLAGS := --executor slurm $(if $(SLURM_PROFILE),--slurm-profile $(SLURM_PROFILE))
else
RUN_FLAGS := --jobs $(JOBS) --executor $(EXECUTOR)
endif

.PHONY: deps build figures fig1 paper-controlled paper disorder test bench clean-data status

deps:
	@scripts/install-deps.sh

SOURCES := Package.swift $(shell find Sources -type f 2>/dev/null)

# The binary is rebuilt only when a source is newer: a no-op `make figures` stays under a second.
$(TLSPIPE): $(SOURCES)
	@scripts/install-deps.sh
	$(SWIFT) build -c release --product tlspipe
	@touch $@

build: deps $(TLSPIPE)

figures: deps $(TLSPIPE)
	$(TLSPIPE) run pipelines/default.json $(RUN_FLAGS)

# Every spec keeps its own folders by default (data/SPEC, figures/SPEC): their stage ids
# (static, fig1, …) are the same, and they never touch each other's files.
# Fig. 1 at the paper's sizes with hybrid, error-controlled FTLM: 35 min on two cores.
fig1: deps $(TLSPIPE)
	$(TLSPIPE) run pipelines/fig1-controlled.json $(RUN_FLAGS)

# Every figure at the paper's sizes (hybrid FTLM at N = 16, stratified twist average at N = 18):
# 2 h 0 min 17 s from a fresh clone on two cores of this project's VM, measured (docs/measurements.md).
paper-controlled: deps $(TLSPIPE)
	$(TLSPIPE) run pipelines/paper-controlled.json $(RUN_FLAGS)

paper: deps $(TLSPIPE)
	$(TLSPIPE) run pipelines/paper.json $(RUN_FLAGS)

# Beyond the paper: quenched disorder with dynamical TLSs (real-space FTLM), about 8 min here.
disorder: deps $(TLSPIPE)
	$(TLSPIPE) run pipelines/disorder.json $(RUN_FLAGS)

status: deps $(TLSPIPE)
	$(TLSPIPE) status pipelines/default.json

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

bench: deps
	$(SWIFT) build -c release
	$(RELEASE)/tlspipe-bench
	@scripts/bench-slurm.sh

clean-data: $(TLSPIPE)
	$(TLSPIPE) clean pipelines/default.json
