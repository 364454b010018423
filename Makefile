# llmwatch: continuous performance monitoring and alerting for LLM APIs.
# `make` builds the binaries into build/ (build-san/ with SANITIZE=1);
# `make run` and `make test` are the two commands a new user needs;
# `make check` is the fast edit-compile-test loop (unit suites only).

PREFIX    ?= /usr/local
DESTDIR   ?=
DATADIR   ?= $(PREFIX)/share/llmwatch
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SANITIZE  ?= 0
CC        ?= gcc
# V=1 shows the whole command lines
Q          = $(if $(filter 1,$(V)),,@)

ifeq ($(SANITIZE),1)
BUILD     ?= build-san
SANFLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT        = -O1
else
BUILD     ?= build
SANFLAGS   =
OPT        = -O2
endif

# pkg-config runs once per make invocation (:=). When a library is missing
# the flags hold PKG_CONFIG_FAILED and the first compile stops with
# pkg-config's own message (`make deps` installs what is missing).
PKGS      := libcurl libpq json-c yaml-0.1 libcmark fcgi libcrypto
pkgconf    = $(shell pkg-config $(1) 2>/dev/null || echo PKG_CONFIG_FAILED)
PKG_CFLAGS := $(call pkgconf,--cflags $(PKGS))
PKG_LIBS   := $(call pkgconf,--libs $(PKGS))
CHECK_CFLAGS := $(call pkgconf,--cflags check)
CHECK_LIBS := $(call pkgconf,--libs check)

CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 $(CFLAGS) -Wall -Wextra -Werror -Wformat=2 -Wno-format-nonliteral \
             -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE \
             -DLW_DATADIR='"$(DATADIR)"' -iquote lib -iquote worker -iquote app \
             -I/usr/include/ClearSilver $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS     = -lneo_cgi -lneo_cs -lneo_utl -lz $(PKG_LIBS) -lcrypt -lm -pthread
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# Sources by directory (any depth): adding a file touches no shared list.
src = $(shell find $(1) -name '*.c' 2>/dev/null | sort)
LIB_SRC    := $(call src,lib)
APP_SRC    := $(filter-out app/main.c,$(call src,app))
WORKER_SRC := $(filter-out worker/main.c,$(call src,worker))
SIM_SRC    := $(call src,sim)
# every tests/*.c but the runner: suites (check_*.c) and their helpers
TEST_SRC   := $(filter-out tests/runner.c,$(wildcard tests/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ    := $(call obj,$(LIB_SRC))
APP_OBJ    := $(call obj,$(APP_SRC))
WORKER_OBJ := $(call obj,$(WORKER_SRC))
SIM_OBJ    := $(call obj,$(SIM_SRC))
TEST_OBJ   := $(call obj,$(TEST_SRC))

BINS = $(BUILD)/llmwatch $(BUILD)/llmwatch-web $(BUILD)/llmwatch-sim

.PHONY: all deps run run-cluster test check bench bench-probe bench-web install clean pkgcheck

all: $(BINS)

pkgcheck:
	@case '$(PKG_CFLAGS) $(PKG_LIBS)' in *PKG_CONFIG_FAILED*) \
	  pkg-config --print-errors --exists $(PKGS); \
	  echo "make: pkg-config cannot find the libraries above: run 'make deps' as root" >&2; exit 1;; esac

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/liblw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/llmwatch: $(BUILD)/worker/main.o $(WORKER_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/llmwatch-web: $(BUILD)/app/main.o $(APP_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/llmwatch-sim: $(SIM_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The Check runner adds every `Suite *x_suite(void)` defined in tests/*.c
# (the return type on the same line or the line before).
$(BUILD)/tests/suites.h: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	sed -n 's/^\(Suite \*\)\{0,1\}\([a-z_0-9]*_suite\)(void)$$/LW_SUITE(\2)/p' $(TEST_SRC) > $@.tmp
	@mv $@.tmp $@

# Suites are declared by the generated suites.h, not by a header of their own.
$(BUILD)/tests/%.o: ALL_CFLAGS += $(CHECK_CFLAGS) -Wno-missing-prototypes
$(BUILD)/tests/runner.o: tests/runner.c $(BUILD)/tests/suites.h | pkgcheck
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -I$(BUILD)/tests -c -o $@ $<

$(BUILD)/check_all: $(BUILD)/tests/runner.o $(TEST_OBJ) $(APP_OBJ) $(WORKER_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory -j2 all
	@scripts/run.sh

# The same on loopback as a cluster: PostgreSQL primary + streaming standby,
# two worker hosts, two web processes behind one nginx (docs/scaling.md).
run-cluster: deps
	@$(MAKE) --no-print-directory -j2 all
	@scripts/cluster.sh

# Unit suites, integration tests, then the same again under ASan/UBSan.
test: deps
	@$(MAKE) --no-print-directory -j2 all $(BUILD)/check_all
	@$(MAKE) --no-print-directory -j2 SANITIZE=1 all build-san/check_all
	@scripts/test.sh

# The unit suites alone, on the plain build, against a private PostgreSQL
# (or $LW_TEST_DATABASE_URL): the quick loop while editing.
check: deps
	@$(MAKE) --no-print-directory -j2 all $(BUILD)/check_all
	@scripts/test.sh --unit

bench: deps
	@$(MAKE) --no-print-directory -j2 all
	@scripts/bench.sh

bench-probe: deps
	@$(MAKE) --no-print-directory -j2 all
	@scripts/bench.sh probe

# BENCH_SCALE=10 repeats it at 21.6 M probes
bench-web: deps
	@$(MAKE) --no-print-directory -j2 all
	@scripts/bench.sh web

# Installs into $(DESTDIR)$(PREFIX); the systemd units and the nginx site
# are written with the real paths (PREFIX, DATADIR, SYSCONFDIR).
SUBST = sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DATADIR@|$(DATADIR)|g' \
            -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/worker $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -R templates static sql $(DESTDIR)$(DATADIR)/
	cp -R worker/suites $(DESTDIR)$(DATADIR)/worker/
	$(SUBST) nginx/llmwatch.conf.in > $(DESTDIR)$(SYSCONFDIR)/nginx/sites-available/llmwatch
	for u in worker/systemd/*.in; do \
	  n=$$(basename $$u .in); \
	  $(SUBST) $$u > $(DESTDIR)$(UNITDIR)/$$n && chmod 644 $(DESTDIR)$(UNITDIR)/$$n || exit 1; \
	done

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
