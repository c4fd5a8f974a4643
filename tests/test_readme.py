"""The README keeps up with the code it describes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_configuration_table_has_every_environment_variable_the_settings_read():
    settings = (ROOT / "careerapp" / "settings.py").read_text()
    names = set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"(\w+)"', settings))
    assert {"DEBUG", "DATABASE_URL", "SECURE_HSTS_SECONDS", "LOG_LEVEL"} <= names
    table = section("Configuration")
    assert sorted(name for name in names if f"| `{name}`" not in table and f", `{name}`" not in table) == []


def test_the_layout_names_every_module_of_the_app():
    modules = [path.name for path in (ROOT / "assessments").glob("*.py") if path.name != "__init__.py"]
    assert "views.py" in modules
    layout = section("Layout")
    assert sorted(name for name in modules if f"`{name}`" not in layout) == []
