# vigie — build, run, test. See README.md.
# Variants: build/release (gcc, -O2), build/asan (clang, ASan+UBSan), build/coverage (gcc, gcov). `make` builds ./vigie.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libidn2 libcrypto libcurl libcmark-gfm gmime-3.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Werror
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -Isrc -Ibuild/gen $(WARN) $(PKG_CFLAGS)
DEPFLAGS := -MMD -MP
LIBS    := $(PKG_LIBS) -lcmark-gfm-extensions -lpthread -lm

VARIANT ?= release
ifeq ($(VARIANT),asan)
  VCC := clang
  VCFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
  VCC := clang
  VCFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
             -DVG_FUZZING
else ifeq ($(VARIANT),coverage)
  # make coverage: gcc with gcov instrumentation (atomic counters: the server is threaded).
  VCC := gcc
  VCFLAGS := -O0 -g --coverage -fprofile-update=atomic
else
  VCC := $(CC)
  VCFLAGS := -O2 -g
  # The release binary allocates with jemalloc (Debian's libjemalloc-dev), as Redis does:
  # the server builds answers on its database thread and frees them on the workers, which
  # glibc's arenas turn into lock waits, and jansson and SQLite allocate a lot per request.
  # Measured (bench/api, same run): creation 4,500 -> 7,500 req/s, /related 3,300 -> 5,300.
  # See src/cli/main.c for its settings. The sanitizer builds keep their own allocator.
  MALLOC_LIBS := $(shell pkg-config --libs jemalloc 2>/dev/null)
  ifneq ($(MALLOC_LIBS),)
    VCFLAGS += -DVG_JEMALLOC
  endif
endif

B := build/$(VARIANT)
LIB_SRC := $(sort $(wildcard src/util/*.c src/core/*.c src/store/*.c src/match/*.c src/vuln/*.c \
             src/share/*.c src/advisory/*.c src/notify/*.c src/crisis/*.c src/app/*.c src/http/*.c \
             src/api/*.c src/web/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
SCHEMA_SQL := $(sort $(wildcard src/store/schema/*.sql))
PG_SCHEMA_SQL := $(sort $(wildcard src/store/schema/pg/*.sql))

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/schema.o $(B)/gen/schema_pg.o
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o) $(B)/gen/guides.o
GUIDES  := $(sort $(filter-out guides/README.md,$(wildcard guides/*.md)))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/bin/%)

.DELETE_ON_ERROR:

.PHONY: all deps run test check coverage unit e2e e2e-pg asan fuzz fuzz-bin fuzz-run unit-bin bench clean format \
        format-check layers mutants
all: vigie

deps:
	@sh scripts/deps.sh

vigie: $(B)/vigie
	@if [ "$(VARIANT)" = release ]; then cp $(B)/vigie vigie; fi

$(B)/vigie: $(CLI_OBJ) $(B)/libvigie.a
	$(VCC) $(VCFLAGS) -o $@ $(CLI_OBJ) $(B)/libvigie.a $(LIBS) $(MALLOC_LIBS)

$(B)/libvigie.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(VCC) $(BASE_CFLAGS) $(DEPFLAGS) $(VCFLAGS) -c -o $@ $<

# SQL migrations are embedded in the binary, in file-name order.
$(B)/gen/schema.c: $(SCHEMA_SQL) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	sh scripts/embed_sql.sh $(SCHEMA_SQL) > $@

# The PostgreSQL backend's migrations (src/store/schema/pg/, issue 16), the same way.
$(B)/gen/schema_pg.c: $(PG_SCHEMA_SQL) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	VG_SCHEMA_ARRAY=vg_pg_migrations sh scripts/embed_sql.sh $(PG_SCHEMA_SQL) > $@

# The guides shipped with vigie, seeded by `vigie serve --demo` (cli/demo.c).
$(B)/gen/guides.c: $(GUIDES) scripts/embed_text.sh
	@mkdir -p $(dir $@)
	sh scripts/embed_text.sh vg_demo_guides $(GUIDES) > $@

$(B)/gen/guides.o: $(B)/gen/guides.c
	$(VCC) $(BASE_CFLAGS) $(VCFLAGS) -c -o $@ $<

$(B)/gen/schema.o: $(B)/gen/schema.c
	$(VCC) $(BASE_CFLAGS) $(VCFLAGS) -c -o $@ $<

$(B)/gen/schema_pg.o: $(B)/gen/schema_pg.c
	$(VCC) $(BASE_CFLAGS) $(VCFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libvigie.a
	@mkdir -p $(dir $@)
	$(VCC) $(BASE_CFLAGS) $(VCFLAGS) -o $@ $< $(B)/libvigie.a $(LIBS) -lcmocka

unit-bin: $(UNIT_BIN)

run: deps
	@$(MAKE) --no-print-directory vigie
	@mkdir -p var
	./vigie serve --db var/vigie.db --listen 127.0.0.1:8080 --demo

# The whole suite: release (gcc) then ASan+UBSan (clang), unit + e2e each (the release e2e twice:
# on SQLite, then on PostgreSQL), then a short fuzz run.
# One suite at a time (each ends with "N passed, N failed, N skipped", non-zero on failure):
#   make check     release build, unit + end-to-end; no package installation (daily work)
#   make unit      unit tests of $(VARIANT) (release unless VARIANT=asan)
#   make e2e       end-to-end tests against build/$(VARIANT)/vigie
#   make e2e-pg    the same end-to-end tests on PostgreSQL (release build, a throwaway cluster)
#   make asan      ASan+UBSan build, unit + end-to-end
#   make coverage  gcov build, unit + end-to-end, line and branch coverage per folder (gcovr)
#   make fuzz-run  every fuzz target for VIGIE_FUZZ_SECONDS (5) seconds
#   make mutants   the mutation run over the files that hold rules (scripts/mutants.py; hours:
#                  SAMPLE=N [SEED=S] a random sample, PER_FILE=N at most N per file,
#                  FILES="src/core/corr.c ..." some files, FROM=list draw from those ids,
#                  JOBS=2); see docs/TESTING.md
test: deps
	@sh scripts/test.sh

check:
	@sh scripts/test.sh check

unit:
	@sh scripts/test.sh unit $(VARIANT)

e2e:
	@sh scripts/test.sh e2e $(VARIANT)

e2e-pg:
	@sh scripts/test.sh e2e-pg

asan:
	@sh scripts/test.sh asan

# Line and branch coverage per folder of src/ (gcov build, unit + end-to-end, then gcovr);
# HTML in build/coverage/html. Not part of `make test`: a command. See docs/TESTING.md.
coverage:
	@sh scripts/test.sh coverage

fuzz-run:
	@sh scripts/test.sh fuzz

# Mutation testing (docs/TESTING.md, "Mutation score"): mutates a copy under build/mutants/,
# never src/; fails when a mutant survives that tests/mutants/equivalent.txt does not list.
mutants:
	@/usr/bin/python3 scripts/mutants.py -j $(or $(JOBS),2) $(if $(SAMPLE),--sample $(SAMPLE)) \
	    $(if $(PER_FILE),--per-file $(PER_FILE)) $(if $(SEED),--seed $(SEED)) \
	    $(if $(FILES),--files $(FILES)) $(if $(FROM),--from $(FROM))

fuzz: 
	@$(MAKE) --no-print-directory VARIANT=fuzz fuzz-bin

fuzz-bin: $(FUZZ_BIN)

build/fuzz/bin/%: fuzz/%.c $(wildcard fuzz/*.h) $(B)/libvigie.a
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -DVG_FUZZING -o $@ $< $(B)/libvigie.a $(LIBS)

bench: deps
	@sh scripts/deps.sh --bench
	@$(MAKE) --no-print-directory vigie
	@sh bench/run.sh

# House rules (STYLE.md, ARCHITECTURE.md): clang-format 14 with .clang-format, include direction.
CLANG_FORMAT ?= $(shell command -v clang-format-14 || echo clang-format)
format:
	$(CLANG_FORMAT) --style=file:.clang-format -i $$(find src tests fuzz bench -name '*.[ch]')

format-check:
	@CLANG_FORMAT=$(CLANG_FORMAT) sh scripts/format-check.sh

layers:
	@sh scripts/layers.sh

clean:
	rm -rf build vigie

-include $(shell find build -name '*.d' 2>/dev/null)
