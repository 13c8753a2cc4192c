"""Errors are Python exceptions carrying the CLI's located message; no panic crosses the
boundary; the GIL is released and Ctrl-C interrupts a wait."""

import _thread
import signal
import threading
import time

import pytest

import detente
from detente import DetenteError, InputError, InternalError, Scenario, ScenarioError


def test_a_bad_file_is_a_scenario_error_with_the_cli_message(tmp_path, cli_error):
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[meta]\nname = "x"\n[[parties]]\nid = 3\n')
    with pytest.raises(ScenarioError) as e:
        Scenario.load(bad)
    message = str(e.value)
    assert message.startswith(f"{bad}:"), message
    # The CLI prints the same located problems (one a line) and exits 2.
    assert cli_error("evaluate", bad).strip() == message.strip()
    assert isinstance(e.value, DetenteError)


def test_garbage_bytes_do_not_panic(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{\xff\xfe\x00 [[[[")
    with pytest.raises(DetenteError):
        Scenario.load(bad)


def test_a_bad_dict_is_located():
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict({"format": 1, "parties": "none"})
    assert str(e.value).startswith("<dict>:"), str(e.value)


def test_unknown_names_are_input_errors(cli_error):
    with pytest.raises(InputError) as e:
        Scenario.load("no-such-scenario")
    assert "no such file, and no shipped scenario" in str(e.value)
    s = Scenario.load("tutorial")
    with pytest.raises(InputError) as e:
        s.evaluate("nope")
    assert str(e.value) in cli_error("evaluate", "tutorial", "-p", "nope")
    with pytest.raises(InputError, match="--objective"):
        s.mediate("commission-draft", objective="most")
    with pytest.raises(InputError, match="--set"):
        s.evaluate(set=["nobody.reservation=0.5"])
    with pytest.raises(InputError):
        s.simulate(negotiators=["no-such-negotiator", "boulware"])


def test_a_panic_becomes_an_internal_error():
    with pytest.raises(InternalError, match="a panic on purpose"):
        detente._detente._panic_for_test()


def test_the_gil_is_released_while_computing():
    ticks = []
    worker = threading.Thread(target=detente._detente._sleep_for_test, args=(0.5,))
    worker.start()
    while worker.is_alive():
        ticks.append(1)
        time.sleep(0.01)
    worker.join()
    assert len(ticks) > 10


def test_ctrl_c_interrupts_a_long_call():
    # Python's own Ctrl-C handler, even where the test runs with SIGINT ignored (a
    # background job of a shell without job control), so that interrupt_main raises.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(0.2, _thread.interrupt_main)
        start = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            detente._detente._sleep_for_test(30.0)
        assert time.monotonic() - start < 5.0
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_constructor_is_not_public():
    with pytest.raises(TypeError):
        Scenario("tutorial")
