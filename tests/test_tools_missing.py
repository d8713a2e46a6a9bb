"""A missing tool or font stops the build with a one-line diagnosis and the fix."""

from conftest import cli

FC_CONF = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _build(tmp_path, *args, env=None):
    return cli(*args, "--book", "tests/data/sample", "--out", tmp_path / "out", "-q", env=env)


def test_missing_declared_fonts_name_the_package(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(FC_CONF.format(cache=tmp_path / "cache"))
    result = _build(tmp_path, "pdf", env={"FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 3
    lines = [l for l in result.stderr.strip().splitlines() if not l.startswith("warning:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr
    # the first declared face fontconfig cannot find: the body's Latin serif
    assert "font 'Noto Serif' is not installed" in lines[0]
    assert "apt-get install fonts-noto-core" in lines[0]


def test_missing_pandoc_names_the_fix(tmp_path):
    shim = tmp_path / "sitecustomize.py"
    shim.write_text("import pypandoc\npypandoc.get_pandoc_path = lambda: '/nonexistent/pandoc'\n")
    result = _build(tmp_path, "html", "--no-cache", env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 3, result.stderr
    assert "pandoc could not run" in result.stderr and "make book" in result.stderr
    assert "Traceback" not in result.stderr
