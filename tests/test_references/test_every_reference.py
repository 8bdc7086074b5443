"""Every reference has its own test module, named after it (like FastAPI's tests/test_tutorial)."""

from tests.support import ROOT, references


def test_every_reference_has_its_test_module():
    here = ROOT / "tests" / "test_references"
    missing = [name for name in references() if not (here / f"test_{name}.py").is_file()]
    assert references() and missing == []


def test_every_test_module_names_a_reference():
    here = ROOT / "tests" / "test_references"
    modules = {path.stem.removeprefix("test_") for path in here.glob("test_*.py")}
    assert modules - set(references()) == {
        "every_reference",
        "copy_alone",
        "crawl",
    }  # these cover all references
