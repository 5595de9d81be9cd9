# Two commands on a fresh machine: `make synth` and `make test`.
VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
BIN       := $(VENV)/bin
BLUEPRINTS ?= blueprints
OUT       ?= build

.PHONY: synth lint test test-fast golden install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

synth: install
	$(BIN)/ecsstack synth $(BLUEPRINTS) -o $(OUT)

lint: install
	$(BIN)/ecsstack lint $(BLUEPRINTS)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest

# the inner loop: everything but the emulator and cfn-lint tests (make test runs all of them)
test-fast: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not emulator and not lint"

golden: install-test
	ECSSTACK_UPDATE_GOLDEN=1 $(BIN)/pytest tests/golden -q

clean:
	rm -rf $(OUT) .pytest_cache

# --- deploy (ecsstack.deploy) -------------------------------------------------------------------
# make deploy BLUEPRINT=web [STACK=web-dev] [PARAMS="K=V ..."] [DEPLOY_FLAGS="--yes --region eu-west-1"]
# (without STACK the stack is named by the blueprint: `make deploy BLUEPRINT=ec2_bridge` deploys ec2-bridge)
BLUEPRINT    ?= web
STACK        ?=
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
		$(foreach p,$(PARAMS),--parameter $(p)) $(DEPLOY_FLAGS)

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
