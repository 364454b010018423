# llmwatch: continuous performance monitoring and alerting for LLM APIs.
# `make` builds the binaries into build/ (build-san/ with SANITIZE=1);
# `make run` and `make test` are the two commands a new user needs.

PREFIX    ?= /usr/local
DESTDIR   ?=
DATADIR   ?= $(PREFIX)/share/llmwatch
SANITIZE  ?= 0
CC        ?= gcc

ifeq ($(SANITIZE),1)
BUILD     ?= build-san
SANFLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT        = -O1
else
BUILD     ?= build
SANFLAGS   =
OPT        = -O2
endif

PKGS      := libcurl libpq json-c yaml-0.1 libcmark fcgi
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 $(CFLAGS) -Wall -Wextra -Werror -Wformat=2 -Wno-format-nonliteral \
             -Wshadow -Wpointer-arith -Wstrict-prototypes -D_GNU_SOURCE \
             -DLW_DATADIR='"$(DATADIR)"' -iquote lib -iquote worker -I/usr/include/ClearSilver \
             $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS     = -lneo_cgi -lneo_cs -lneo_utl -lz $(PKG_LIBS) -lcrypt -lm -pthread
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC    := $(wildcard lib/*.c)
APP_SRC    := $(filter-out app/main.c,$(wildcard app/*.c))
WORKER_SRC := $(filter-out worker/main.c,$(wildcard worker/*.c))
SIM_SRC    := $(wildcard worker/sim/*.c)
# every tests/*.c but the runner: suites (check_*.c) and their helpers
TEST_SRC   := $(filter-out tests/runner.c,$(wildcard tests/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ    := $(call obj,$(LIB_SRC))
APP_OBJ    := $(call obj,$(APP_SRC))
WORKER_OBJ := $(call obj,$(WORKER_SRC))
SIM_OBJ    := $(call obj,$(SIM_SRC))
TEST_OBJ   := $(call obj,$(TEST_SRC))

BINS = $(BUILD)/llmwatch $(BUILD)/llmwatch-web $(BUILD)/llmwatch-sim

.PHONY: all deps run test test-unit test-integration test-san bench bench-probe install clean check-templates

all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/liblw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/llmwatch: $(BUILD)/worker/main.o $(WORKER_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/llmwatch-web: $(BUILD)/app/main.o $(APP_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/llmwatch-sim: $(SIM_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# The Check runner adds every `Suite *x_suite(void)` found in tests/check_*.c.
$(BUILD)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	grep -ho '^Suite \*[a-z_0-9]*_suite(void)' $(TEST_SRC) | \
	  sed 's/^Suite \*\(.*\)(void)/LW_SUITE(\1)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/runner.o: tests/runner.c $(BUILD)/tests/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(BUILD)/tests -c -o $@ $<

$(BUILD)/check_all: $(BUILD)/tests/runner.o $(TEST_OBJ) $(APP_OBJ) $(WORKER_OBJ) $(BUILD)/liblw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

# Unit suites, integration tests, then the same again under ASan/UBSan.
test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/check_all
	@$(MAKE) --no-print-directory SANITIZE=1 all build-san/check_all
	@scripts/test.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

bench-probe: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh probe

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR) \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)/etc/nginx/sites-available
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -R templates static sql $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/worker
	cp -R worker/suites $(DESTDIR)$(DATADIR)/worker/
	install -m 644 nginx/llmwatch.conf $(DESTDIR)/etc/nginx/sites-available/llmwatch
	install -m 644 worker/systemd/*.service worker/systemd/*.timer \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system/

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
