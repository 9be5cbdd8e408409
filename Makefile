# silkflow — build, demo and tests.
#   make            build bin/silkflow
#   make deps       install the Debian packages (as root) or print the apt line
#   make demo       run the main job on the shipped WIOD 2013 tables
#   make check      all tests (unit, MPI 1-4 ranks, end to end)
#   make check-fresh  demo + check in a fresh clone of HEAD (what CI sees)
#   make SAN=1 ...  the same with -fsanitize=address,undefined (build in build-san/)
#   make bench      benchmarks (bench/README.md)
#   make install PREFIX=/usr/local [DESTDIR=]   binary, share/silkflow, man page; make uninstall

SHELL := /bin/bash
CC ?= gcc
PKGS := ompi-c scalapack-openmpi hdf5-openmpi openblas lapacke libzip inih nettle libdeflate

DEB_BUILD := build-essential pkg-config openmpi-bin libopenmpi-dev libscalapack-openmpi-dev \
             libhdf5-openmpi-dev hdf5-tools libopenblas-dev liblapacke-dev libzip-dev libinih-dev nettle-dev libdeflate-dev zip unzip \
             gnuplot-nox
DEB_TEST  := python3 python3-numpy python3-h5py python3-pandas python3-xarray python3-h5netcdf python3-networkx \
             texlive-latex-base texlive-latex-recommended poppler-utils
DEB_PKGS  := $(DEB_BUILD) $(DEB_TEST)

ifeq ($(SAN),1)
BUILD := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1
else
BUILD := build
SANFLAGS :=
OPT := -O2
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
SCALAPACK_VER := $(shell dpkg-query -W -f='$${Version}' libscalapack-openmpi-dev 2>/dev/null)
INIH_VER := $(shell dpkg-query -W -f='$${Version}' libinih-dev 2>/dev/null)
VERSION_DEFS = -DSF_GIT_REV='"$(GIT_REV)"' -DSF_SCALAPACK_VERSION='"$(SCALAPACK_VER)"' -DSF_INIH_VERSION='"$(INIH_VER)"'

CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -Iinclude $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS = $(PKG_LIBS) -lhdf5_hl -lm
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(sort $(wildcard $(foreach m,util io par core stats report covariates synth pipeline cli,src/$(m)/*.c)))
LIB_SRC := $(filter-out src/cli/main.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

ifeq ($(SAN),1)
BIN := $(BUILD)/bin/silkflow
else
BIN := bin/silkflow
endif

.PHONY: all deps check-deps demo check check-fresh check-unit check-mpi check-e2e check-slurm bench clean help \
        install uninstall
all: $(BIN)

help:
	@sed -n '1,10p' Makefile

# ---- dependencies -------------------------------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing $$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  (apt-get install -y -q --no-install-recommends $$missing || (apt-get update -q && apt-get install -y -q --no-install-recommends $$missing)) >/dev/null || \
	    { echo "deps: apt-get failed; run: apt-get install $$missing" >&2; exit 1; }; \
	else \
	  echo "deps: missing Debian packages; run as root:" >&2; \
	  echo "  apt-get install $$missing" >&2; exit 1; \
	fi

# ---- build --------------------------------------------------------------------------------
$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

# the version objects carry the git revision and library versions: rebuild them every time
$(BUILD)/util/revision.o $(BUILD)/pipeline/version.o: $(BUILD)/%.o: src/%.c FORCE
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(VERSION_DEFS) -c $< -o $@
FORCE:

$(BUILD)/libsilkflow.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/cli/main.o $(BUILD)/libsilkflow.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsilkflow.a tests/unit/testlib.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libsilkflow.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libsilkflow.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsilkflow.a $(LDLIBS)

# ---- run ----------------------------------------------------------------------------------
NP ?= 2
demo: deps
	$(MAKE) all
	tests/mpirun.sh $(NP) $(BIN) run configs/wiod2013.ini

check: deps
	$(MAKE) all $(TEST_BIN)
	BUILD=$(BUILD) BIN=$(BIN) tests/run.sh

# the README's commands in a fresh clone of HEAD, as CI on a clean machine (tests/fresh.sh)
check-fresh:
	tests/fresh.sh

check-slurm: deps
	$(MAKE) all
	BIN=$(BIN) tests/slurm/run.sh

bench: deps
	$(MAKE) all $(BENCH_BIN)
	BUILD=$(BUILD) BIN=$(BIN) bench/run.sh

clean:
	rm -rf build build-san bin

# ---- install ------------------------------------------------------------------------------
# The data directory (src/util/datadir.c, docs/config.md): bin/silkflow looks in this source tree,
# the installed binary in $(PREFIX)/share/silkflow (both: SILKFLOW_DATADIR overrides). The installed
# binary is linked from the same library with its own datadir object; DESTDIR only stages the copy.
PREFIX ?= /usr/local
DESTDIR ?=
SHAREDIR = $(PREFIX)/share/silkflow
MANDIR = $(PREFIX)/share/man/man1
SHIPPED := configs data jobs

$(BUILD)/util/datadir.o: src/util/datadir.c FORCE
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -DSF_DATADIR='"$(CURDIR)"' -c $< -o $@

$(BUILD)/install/datadir.o: src/util/datadir.c FORCE
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -DSF_DATADIR='"$(SHAREDIR)"' -c $< -o $@

$(BUILD)/install/silkflow: $(BUILD)/cli/main.o $(BUILD)/install/datadir.o $(BUILD)/libsilkflow.a
	@echo "  LINK    $@ (data directory $(SHAREDIR))"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the man page from the binary's --help and every command's --help (docs/mkman.sh)
$(BUILD)/install/silkflow.1: $(BUILD)/install/silkflow docs/mkman.sh
	@SILKFLOW_DATADIR=$(SHAREDIR) docs/mkman.sh $< > $@.tmp && mv $@.tmp $@

install: $(BUILD)/install/silkflow $(BUILD)/install/silkflow.1
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(SHAREDIR)" "$(DESTDIR)$(MANDIR)"
	install -m 755 $(BUILD)/install/silkflow "$(DESTDIR)$(PREFIX)/bin/silkflow"
	install -m 644 $(BUILD)/install/silkflow.1 "$(DESTDIR)$(MANDIR)/silkflow.1"
	@find $(SHIPPED) -type f | LC_ALL=C sort | while read -r f; do \
	  install -D -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/$$f" || exit 1; done
	@echo "installed $(DESTDIR)$(PREFIX)/bin/silkflow, $(DESTDIR)$(SHAREDIR) ($(SHIPPED)), $(DESTDIR)$(MANDIR)/silkflow.1"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/silkflow" "$(DESTDIR)$(MANDIR)/silkflow.1"
	rm -rf "$(DESTDIR)$(SHAREDIR)"

-include $(LIB_OBJ:.o=.d) $(BUILD)/cli/main.d $(TEST_BIN:=.d) $(BENCH_BIN:=.d)
