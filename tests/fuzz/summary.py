"""The fuzz suite's figures at the end of the run: forms fuzzed and hypothesis examples tried. A plugin listed in
tests/conftest.py: under xdist the controller loads no conftest below tests/ that does not start with "test"."""


def pytest_terminal_summary(terminalreporter):
    forms = examples = 0
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if getattr(report, "when", "call") != "call":
            continue
        properties = dict(report.user_properties)
        forms += properties.get("fuzz_forms", 0)
        examples += properties.get("fuzz_examples", 0)
    if forms or examples:
        terminalreporter.write_line(f"Fuzz: {forms} forms fuzzed, {examples} hostile examples tried.")
