# minet — build, test and run.  `make help` lists the targets.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# -Werror only where we control the compiler: `make test`, `make asan`, CI.
WERROR    ?=
ifeq ($(WERROR),1)
WARN      += -Werror
endif
DEPS      := src/tools/install-deps.sh
PKGS      := libcjson
GUI_SRC   := $(wildcard src/gui/*.c)
ifneq ($(GUI_SRC),)
PKGS      += sdl2 SDL2_ttf SDL2_image
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The binary itself links only cJSON: the window's module (minet-gui.so) links SDL.
CORE_LIBS  = $(shell pkg-config --libs libcjson 2>/dev/null)
GUI_LIBS   = $(shell pkg-config --libs sdl2 SDL2_ttf SDL2_image 2>/dev/null)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
             -Isrc -DMINET_VERSION='"$(VERSION)"' -DMINET_DATADIR='"$(PREFIX)/share/minet"' \
             -DMINET_LIBDIR='"$(PREFIX)/lib/minet"' \
             $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)

LIB_SRC   := $(wildcard src/core/*.c src/net/*.c src/proto/*.c src/proto/*/*.c src/apps/*.c src/io/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
GUI_OBJ   := $(GUI_SRC:%.c=$(BUILD)/pic/%.o)
MAIN_OBJ  := $(BUILD)/src/main.o
LIB       := $(BUILD)/libminet.a
GUI_LIB   := $(if $(GUI_SRC),$(BUILD)/libminet-gui.a)
# The window as a module the binary opens when it needs it (src/gui_load.c).
GUI_SO    := $(if $(GUI_SRC),$(BUILD)/minet-gui.so)
LOAD_OBJ  := $(if $(GUI_SRC),$(BUILD)/src/gui_load.o)
BIN       := $(BUILD)/minet
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TIME ?= 30
SCENARIO  ?= scenarios/dns_lecture.json
# V=1 shows every compiler command.
ifeq ($(V),1)
Q :=
else
Q = @echo '  CC    $<';
endif

.PHONY: all run test check-tests interop asan fuzz bench fresh-check golden install uninstall clean help deps deps-test format

all: minet

minet: $(BIN)
	@cp $(BIN) minet
	$(if $(GUI_SO),@cp $(GUI_SO) minet-gui.so)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The window's objects go into a shared module as well as the tests' archive
# (a folder of their own: no object built before without -fPIC is taken).
$(BUILD)/pic/src/gui/%.o: src/gui/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@echo '  AR    $@'
	@$(AR) rcs $@ $^

$(BUILD)/libminet-gui.a: $(GUI_OBJ)
	@rm -f $@
	@echo '  AR    $@'
	@$(AR) rcs $@ $^

# The binary holds all of libminet and exports it (-rdynamic): the window's
# module calls into it.  -Bsymbolic keeps the module's own gui_* calls in the
# module, past the binary's gui_load.c functions of the same names.
$(BIN): $(MAIN_OBJ) $(LOAD_OBJ) $(LIB) | $(GUI_SO)
	@echo '  LD    $@'
	@$(CC) $(ALL_CFLAGS) $(MAIN_OBJ) $(LOAD_OBJ) -rdynamic -Wl,--whole-archive $(LIB) \
	  -Wl,--no-whole-archive -o $@ $(ALL_LDFLAGS) $(if $(GUI_SO),$(CORE_LIBS),$(PKG_LIBS)) -lm

$(BUILD)/minet-gui.so: $(GUI_OBJ)
	@echo '  LD    $@'
	@$(CC) $(ALL_CFLAGS) -shared -Wl,-Bsymbolic $^ -o $@ $(ALL_LDFLAGS) $(GUI_LIBS) -lm

$(BUILD)/tests/%: tests/%.c $(LIB) $(GUI_LIB)
	@mkdir -p $(dir $@)
	@echo '  CC    $<'
	@$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) $< -o $@ $(GUI_LIB) $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS) -lm

deps:
	@$(DEPS) build
deps-test:
	@$(DEPS) test

## run: install what is missing, build, run the default scenario
run: deps
	@$(MAKE) --no-print-directory minet
	./minet $(SCENARIO)

## test: build with -Werror and run every test (unit, golden, bad inputs, CLI, NSD interop)
test: deps-test
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build/test check-tests

check-tests: $(BIN) $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done
	@MINET=$(BIN) sh tests/run_bad.sh
	@MINET=$(BIN) sh tests/run_golden.sh check
	@MINET=$(BIN) sh tests/run_cli.sh
	@MINET=$(BIN) sh tests/run_docs.sh
	@MINET=$(BIN) sh tests/run_lecture.sh
	@MINET=$(BIN) sh tests/run_filter_files.sh
	@MINET=$(BIN) sh tests/run_dns_options.sh
	@MINET=$(BIN) sh tests/run_mailapps.sh
	@MINET=$(BIN) sh tests/run_ftpapps.sh
	@MINET=$(BIN) sh tests/run_ftpdata.sh
	@MINET=$(BIN) sh tests/run_pcap.sh
	@MINET=$(BIN) sh tests/run_window.sh
	@MINET=$(BIN) sh tests/run_chart.sh
	@MINET=$(BIN) sh tests/run_interop.sh
	@echo "all tests passed"

## interop: minet's resolver, host, dig and nslookup against real Unbound, BIND 9.18's tools and
##          NSD; telnet, nc, ss and netstat against the real ones, and TCP's segments against
##          Linux's; the mail programs and servers against swaks, curl, s-nail and Postfix, and
##          mail reading over POP3 and IMAP against s-nail with Dovecot 2.3;
##          the FTP server and ftp against vsftpd 3.0.3 and tnftp (as root)
interop: deps-test
	@$(DEPS) interop
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build/test build/test/minet
	@MINET=build/test/minet sh tests/run_interop_resolver.sh
	@MINET=build/test/minet MINET_INTEROP_QMIN=1 sh tests/run_interop_resolver.sh
	@MINET=build/test/minet MINET_INTEROP_TOOLS=1 sh tests/run_interop_resolver.sh
	@MINET=build/test/minet sh tests/run_interop_tcp.sh
	@MINET=build/test/minet sh tests/run_interop_mail.sh
	@MINET=build/test/minet sh tests/run_interop_ftp.sh
	@MINET=build/test/minet sh tests/run_interop_imap.sh
	@MINET=build/test/minet sh tests/run_interop_mailread.sh

## asan: the tests under AddressSanitizer and UndefinedBehaviorSanitizer
asan: deps-test
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" check-tests

## fuzz: each libFuzzer target for FUZZ_TIME seconds (default 30)
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz:
	@$(DEPS) fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang CFLAGS="-O1 -g" \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" build/fuzz/libminet.a
	@set -e; for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); mkdir -p build/fuzz/corpus/$$n; \
	  echo "  FUZZ  $$n ($(FUZZ_TIME) s)"; \
	  clang -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Isrc $(FUZZ_FLAGS) $(PKG_CFLAGS) \
	    $$f build/fuzz/libminet.a -o build/fuzz/$$n $(PKG_LIBS) -lm; \
	  seeds=tests/fuzz/seeds/$$n; [ -d $$seeds ] || seeds=; \
	  build/fuzz/$$n -max_total_time=$(FUZZ_TIME) -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/$$n- \
	    build/fuzz/corpus/$$n $$seeds > build/fuzz/$$n.log 2>&1 \
	    || { tail -n 40 build/fuzz/$$n.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|Done' build/fuzz/$$n.log | tail -n 2; \
	done

## bench: print the performance figures (events/s, DNS, pcapng, TCP beside ns-3, end to end, frame time)
bench: deps
	@$(DEPS) bench || echo "ns-3 could not be installed: the TCP figures are printed without it"
	@$(MAKE) --no-print-directory BUILD=build/bench CFLAGS="-O2 -g -DNDEBUG" build/bench/minet-bench \
	  build/bench/minet \
	  $(if $(GUI_SRC),build/bench/minet-bench-gui)
	@rm -f build/bench/ns3-figures.txt
	@if pkg-config --exists ns3-applications 2>/dev/null && command -v $(CXX) >/dev/null; then \
	  $(MAKE) --no-print-directory build/bench/minet-bench-ns3 && \
	  build/bench/minet-bench-ns3 5 build/bench/ns3-figures.txt; \
	else echo "ns-3 not installed: no ns-3 figures (libns3-dev and $(CXX) are needed)"; fi
	MINET_BENCH_NS3=build/bench/ns3-figures.txt build/bench/minet-bench
	$(if $(GUI_SRC),build/bench/minet-bench-gui assets/fonts)

build/bench/minet-bench: src/tools/bench.c src/tools/bench_apps.c src/tools/bench.h build/bench/libminet.a
	$(CC) $(ALL_CFLAGS) src/tools/bench.c src/tools/bench_apps.c -o $@ build/bench/libminet.a $(PKG_LIBS) -lm

# ns-3's side of the TCP comparison, the one C++ program (ns-3 is a C++ library),
# against Debian's libns3-dev: headers in /usr/include/ns3, libraries named here
# because its ns3-core.pc lists libgsl.so, which only libgsl-dev ships.
NS3_LIBS := -lns3-applications -lns3-internet -lns3-point-to-point -lns3-traffic-control \
            -lns3-network -lns3-core
build/bench/minet-bench-ns3: src/tools/bench_ns3.cc
	@mkdir -p $(dir $@)
	@echo '  CXX   $<'
	@$(CXX) -std=c++17 -O2 -g -Wall -Wextra -Wshadow $< -o $@ $(NS3_LIBS)

build/bench/minet-bench-gui: src/tools/bench_gui.c build/bench/libminet-gui.a build/bench/libminet.a
	$(CC) $(ALL_CFLAGS) $< -o $@ build/bench/libminet-gui.a build/bench/libminet.a $(PKG_LIBS) -lm

## fresh-check: make run and make test in a fresh Debian 12 chroot (root; slow)
fresh-check:
	@sh src/tools/fresh-check.sh

## golden: regenerate tests/golden/ from the scenarios (review the diff)
golden: minet
	@MINET=./minet sh tests/run_golden.sh update

## install: binary, scenarios, assets, man page and docs under PREFIX (default /usr/local)
install: minet
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/minet/scenarios/zones \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/minet/images
	install -m 644 README.md LICENSE docs/*.md $(DESTDIR)$(PREFIX)/share/doc/minet/
	install -m 644 docs/images/*.png $(DESTDIR)$(PREFIX)/share/doc/minet/images/
	install -m 755 minet $(DESTDIR)$(PREFIX)/bin/minet
	$(if $(GUI_SO),install -d $(DESTDIR)$(PREFIX)/lib/minet)
	$(if $(GUI_SO),install -m 644 minet-gui.so $(DESTDIR)$(PREFIX)/lib/minet/minet-gui.so)
	install -m 644 scenarios/*.json $(DESTDIR)$(PREFIX)/share/minet/scenarios/
	install -m 644 scenarios/zones/*.zone $(DESTDIR)$(PREFIX)/share/minet/scenarios/zones/
	cp -R assets $(DESTDIR)$(PREFIX)/share/minet/
	install -m 644 docs/minet.1 $(DESTDIR)$(PREFIX)/share/man/man1/minet.1

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/minet $(DESTDIR)$(PREFIX)/lib/minet $(DESTDIR)$(PREFIX)/share/minet \
	  $(DESTDIR)$(PREFIX)/share/man/man1/minet.1 $(DESTDIR)$(PREFIX)/share/doc/minet

## format: clang-format every C file in place
format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build minet minet-gui.so

## help: this list
help:
	@echo "minet $(VERSION) — make targets:"
	@echo "  make            build ./minet"
	@sed -n 's/^## \([a-z]*\): \(.*\)/  make \1  \2/p' Makefile | awk '{ printf "  %-15s", $$1" "$$2; $$1=$$2=""; print substr($$0,3) }'
	@echo "  make clean     remove build output"
	@echo "Variables: SCENARIO=FILE (make run), PREFIX=DIR (make install), FUZZ_TIME=S (make fuzz)"

-include $(shell find $(BUILD) -path $(BUILD)/fresh -prune -o -name '*.d' -type f -print 2>/dev/null)
