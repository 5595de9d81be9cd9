# Two commands on a fresh machine: `make synth` and `make test`.
VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
BIN       := $(VENV)/bin
BLUEPRINTS ?= blueprints
OUT       ?= build
# checkov lives in its own virtual environment: it pins old libraries that must never reach $(VENV)
CHECKOV_VENV    ?= .venv-checkov
CHECKOV_VERSION ?= 3.3.30
CHECKOV         := $(CHECKOV_VENV)/bin/checkov

.PHONY: synth lint test test-fast fuzz golden install install-test install-checkov checkov clean lock bench

# Installs come from the locks committed here (requirements*.lock, `make lock` refreshes them), with uv: the one
# on PATH, else uv==$(UV_VERSION) put into $(VENV)/.uv by the machine's pip (the venv is made without pip: 0.5 s
# instead of 12 here); plain pip (constrained by the same lock) is the
# fallback whenever uv is missing or fails. uv reads no pip configuration: tools/pip_to_uv.py passes it this
# machine's pip settings (find-links, extra indexes, constraints, CA bundle).
UV_VERSION   ?= 0.13.9
UV           := $(VENV)/bin/uv
LOCK         := requirements.lock
TEST_LOCK    := requirements-test.lock
CHECKOV_LOCK := requirements-checkov.lock
# (asked once per make run: `pip config list` takes a second)
UV_FLAGS      = $(eval UV_FLAGS := $$(shell $(PYTHON) tools/pip_to_uv.py))$(UV_FLAGS)
# the build backend is in the locks too, so that the editable install builds without an isolated environment
BUILD_REQUIRES := 'setuptools>=68' wheel

$(PY):
	$(PYTHON) -m venv --without-pip $(VENV)
	@if command -v uv >/dev/null 2>&1; then ln -sf "$$(command -v uv)" $(UV); \
	elif $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(VENV)/.uv "uv==$(UV_VERSION)"; \
	then ln -sf "$(abspath $(VENV))/.uv/bin/uv" $(UV); else echo "uv is not available: installing with pip"; fi

# $(call install,PYTHON,UV,LOCK,EDITABLE): the lock, then the project itself (if any) without its dependencies;
# with pip (put into the venv first: it is made without one) when uv is missing or fails
define install
	if [ -x $(2) ] && $(2) pip install --quiet --python $(1) $(UV_FLAGS) -r $(3) \
		$(if $(4),&& $(2) pip install --quiet --python $(1) $(UV_FLAGS) --no-deps --no-build-isolation -e '$(4)'); \
	then :; \
	else echo "installing with pip"; $(1) -m pip --version >/dev/null 2>&1 || $(1) -m ensurepip --default-pip; \
		$(1) -m pip install --quiet -c $(3) $(if $(4),-e '$(4)',-r $(3)); fi
endef

$(VENV)/.installed: pyproject.toml $(LOCK) | $(PY)
	@$(call install,$(PY),$(UV),$(LOCK),.)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(TEST_LOCK) $(VENV)/.installed
	@$(call install,$(PY),$(UV),$(TEST_LOCK),.[test])
	touch $@

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION): $(CHECKOV_LOCK)
	$(PYTHON) -m venv --without-pip $(CHECKOV_VENV)
	@$(call install,$(CHECKOV_VENV)/bin/python,$(abspath $(UV)),$(CHECKOV_LOCK),)
	touch $@

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION): | $(PY)

# refresh the locks from pyproject.toml (pins that still fit are kept; UPGRADE=1 moves every one to the newest)
lock: | $(PY)
	printf '%s\n' $(BUILD_REQUIRES) | $(UV) pip compile --quiet $(UV_FLAGS) $(if $(UPGRADE),--upgrade) \
		--universal --python-version 3.11 --custom-compile-command "make lock" pyproject.toml - -o $(LOCK)
	printf '%s\n' $(BUILD_REQUIRES) | $(UV) pip compile --quiet $(UV_FLAGS) $(if $(UPGRADE),--upgrade) \
		--universal --python-version 3.11 --custom-compile-command "make lock" pyproject.toml - --extra test \
		-o $(TEST_LOCK)
	echo "checkov==$(CHECKOV_VERSION)" | $(UV) pip compile --quiet $(UV_FLAGS) $(if $(UPGRADE),--upgrade) \
		--universal --python-version 3.11 --custom-compile-command "make lock" - -o $(CHECKOV_LOCK)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-checkov: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

synth: install
	$(BIN)/ecsstack synth $(BLUEPRINTS) -o $(OUT) $(if $(ENV),--env $(ENV))

lint: install
	$(BIN)/ecsstack lint $(BLUEPRINTS)

# CHECKOV= makes tests/test_checkov.py fail rather than skip when the scanner is missing
test: install-test install-checkov
	$(BIN)/ruff check .
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/pytest

# checkov alone over every shipped blueprint (make test runs it too, in tests/test_checkov.py)
checkov: install-test install-checkov
	CHECKOV=$(abspath $(CHECKOV)) $(BIN)/pytest -q -s tests/test_checkov.py

# the inner loop: everything but the emulator and cfn-lint tests (make test runs all of them)
test-fast: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not emulator and not lint and not slow"

# the invariant property test with thousands of examples (make test runs 300); FUZZ_EXAMPLES=… to change
FUZZ_EXAMPLES  ?= 5000
FUZZ_LINT_EVERY ?= 20
fuzz: install-test
	ECSSTACK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ECSSTACK_FUZZ_LINT_EVERY=$(FUZZ_LINT_EVERY) \
		$(BIN)/pytest tests/compile/test_property.py --hypothesis-show-statistics

golden: install-test
	ECSSTACK_UPDATE_GOLDEN=1 $(BIN)/pytest tests/golden -q

clean:
	rm -rf $(OUT) .pytest_cache

# one table of timings against troposphere and plain cfn-lint (README "Performance"); not part of make test.
# BENCH_QUICK=1 for fewer sizes and rounds, BENCH_ROUNDS=N, BENCH_CDK=1 for the (skipped offline) CDK row
bench: install
	$(PY) benchmarks/bench.py

# --- deploy (ecsstack.deploy) -------------------------------------------------------------------
# make deploy BLUEPRINT=web [STACK=web-dev] [PARAMS="K=V ..."] [DEPLOY_FLAGS="--yes --region eu-west-1"]
# [ENV=prod] (environments.toml beside the blueprints: account guard, stack name, parameters, tags)
# (without STACK the stack is named by the blueprint: `make deploy BLUEPRINT=ec2_bridge` deploys ec2-bridge)
BLUEPRINT    ?= web
STACK        ?=
# ENV: not ?=, so that a shell's own $$ENV never leaks in (`make deploy ENV=prod` sets it)
ENV          :=
PARAMS       ?=
DEPLOY_FLAGS ?=
# make deploy-local / stop-local: the web blueprint on a moto_server at 127.0.0.1:$(LOCAL_PORT)
# (moto_server comes with the test extras, so deploy-local installs those)
LOCAL_PORT   ?= 5555
LOCAL_URL    := http://127.0.0.1:$(LOCAL_PORT)
LOCAL_PID    ?= $(OUT)/moto_server.pid
LOCAL_STACK  ?= web-local
LOCAL_ENV    := env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID=testing \
                AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1

.PHONY: deploy deploy-local stop-local

deploy: install
	$(BIN)/ecsstack deploy $(BLUEPRINTS)/$(BLUEPRINT).py $(if $(STACK),--stack-name $(STACK)) \
		$(if $(ENV),--env $(ENV)) $(foreach p,$(PARAMS),--parameter $(p)) $(DEPLOY_FLAGS)

deploy-local: install-test
	$(PY) tools/local_emulator.py start --port $(LOCAL_PORT) --pid-file $(LOCAL_PID)
	@params="$$($(LOCAL_ENV) $(PY) tools/local_emulator.py params $(BLUEPRINTS)/web.py \
		--endpoint-url $(LOCAL_URL))" && \
	echo "ecsstack deploy $(BLUEPRINTS)/web.py --stack-name $(LOCAL_STACK) --endpoint-url $(LOCAL_URL) --yes $$params" && \
	$(LOCAL_ENV) $(BIN)/ecsstack deploy $(BLUEPRINTS)/web.py --stack-name $(LOCAL_STACK) \
		--endpoint-url $(LOCAL_URL) --region us-east-1 --yes $$params
	@$(LOCAL_ENV) $(PY) tools/local_emulator.py outputs --stack-name $(LOCAL_STACK) --endpoint-url $(LOCAL_URL)

stop-local:
	$(PY) tools/local_emulator.py stop --pid-file $(LOCAL_PID)
