# casebook: `make book` builds the editions into dist/, `make test` runs the test suite.
# Both install what is missing first (as root on Debian 12) and are quick when nothing is.

VENV    := .venv
PY      := $(VENV)/bin/python
# libgs-common: Ghostscript's ICC profiles; default_cmyk.icc is the print files' default CMYK
# output intent (AGPL-3+: installed from Debian, never copied into casebook).
# ghostscript: the tests measure the print PDF's ink coverage with its inkcov device.
# The declared fonts (casebook/model.py FontSpec; docs/source-format.md, fonts): fonts-noto-cjk (the CJK
# serif, sans and monospace), fonts-lxgw-wenkai (楷体), fonts-noto-core (the Latin serif and
# sans, Noto Sans Symbols2 and Math), fonts-noto-mono (the Latin monospace),
# fonts-dejavu-core (the broad fallback: symbols, Greek, Latin Extended, dingbats).
BOOK_FONTS := fonts-noto-cjk fonts-lxgw-wenkai fonts-noto-core fonts-noto-mono fonts-dejavu-core
BOOK_APT := $(BOOK_FONTS) libpango-1.0-0 fontconfig libharfbuzz-subset0 libgs-common
VERIFY_APT := poppler-utils qpdf chromium
TEST_APT := calibre ghostscript
ARGS    ?=
# setuptools warns, on every editable install, that the checkout's casebook/ folder may be
# imported instead of the installed one: here that is the point, so the set-up stays quiet
EDITABLE := PYTHONWARNINGS=ignore::UserWarning $(PY) -m pip install -q -e

.PHONY: book test deps verify-deps test-deps clean

# compileall writes casebook's bytecode (the editable install never does when
# PYTHONDONTWRITEBYTECODE is set); it recompiles only modules that changed
book: deps
	@$(PY) -m compileall -q casebook
	$(PY) build.py $(ARGS)

test: deps test-deps
	$(PY) -m pytest $(ARGS)

deps: $(VENV)/.installed node_modules/.installed
	@./.ci/apt-ensure $(BOOK_APT)

# what `build.py verify` runs besides the build: EPUBCheck, vnu (Java), Ace and axe in
# Chromium, qpdf and poppler
verify-deps: deps $(VENV)/.installed-verify
	@./.ci/apt-ensure $(VERIFY_APT)
	@command -v java >/dev/null || ./.ci/apt-ensure default-jre-headless

test-deps: verify-deps $(VENV)/.installed-test
	@./.ci/apt-ensure $(TEST_APT)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(EDITABLE) .
	touch $@

# Pagefind builds the HTML search index; Ace and vnu validate in tests. npm never downloads
# a browser or Electron here: Ace runs on Debian's chromium.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || ./.ci/apt-ensure nodejs npm
	ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed-verify: $(VENV)/.installed pyproject.toml
	$(EDITABLE) '.[verify]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-verify pyproject.toml
	$(EDITABLE) '.[test]'
	touch $@

clean:
	rm -rf dist .casebook-cache
