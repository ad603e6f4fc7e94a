"""The command line's shape: one registration convention, PATH vs. command, atomic outputs, no display."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest

from dgviewer import cli
from dgviewer.cli import main
from dgviewer.samples import write_sample

NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "faces"
    write_sample(str(path), variant="datapoint", size=64, seed=0)
    return str(path)


def leftovers(folder) -> list[str]:
    return [n for n in os.listdir(folder) if ".dgv-tmp-" in n]


# -- registration -----------------------------------------------------------------------
def test_every_registered_command_follows_the_convention_and_is_listed(capsys):
    names = [c.NAME for c in cli.COMMANDS]
    assert len(set(names)) == len(names)
    assert {"open", "demo", "self-test", "info", "sample", "validate", "review", "render"} <= set(names)
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    top = capsys.readouterr().out
    for command in cli.COMMANDS:
        assert isinstance(command.HELP, str) and callable(command.add_arguments) and callable(command.run)
        assert f"\n    {command.NAME}" in top, command.NAME  # listed with its help line
        with pytest.raises(SystemExit) as e:
            main([command.NAME, "--help"])
        assert e.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: dgviewer {command.NAME} ")


def test_no_arguments_opens_an_empty_viewer(monkeypatch, capsys):
    """What a desktop menu entry runs: the window with its start page, not a usage error."""
    opened = []
    monkeypatch.setattr(cli.viewer, "open_viewer",
                        lambda paths, goto, shot, compare=None: opened.append((paths(), goto)) or 0)
    assert main([]) == 0
    assert opened == [([], None)]
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0 and "COMMAND" in capsys.readouterr().out


def test_path_opens_the_viewer_and_a_mistyped_command_does_not(tmp_path, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr(cli.viewer, "open_viewer",
                        lambda paths, goto, shot, compare=None: opened.append((paths(), goto)) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "valdiate").mkdir()  # an existing folder wins over the command it resembles
    assert main(["valdiate", "--goto", "a/b"]) == 0
    assert main([str(tmp_path / "not" / "there")]) == 0  # path-like: the viewer says what is wrong with it
    assert main(["open", "x", "y"]) == 0
    assert opened == [(["valdiate"], "a/b"), ([str(tmp_path / "not" / "there")], None), (["x", "y"], None)]
    with pytest.raises(SystemExit) as e:
        main(["rendr", "data"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "'rendr' is neither a command" in err and "did you mean 'render'?" in err and "Traceback" not in err
    assert len(opened) == 3


def test_self_test_spelling_runs_the_self_test_command(monkeypatch):
    seen = []
    monkeypatch.setattr(cli.self_test, "run", lambda args: seen.append(args.screenshot) or 0)
    assert main(["--self-test", "--screenshot", "s.png"]) == 0
    assert seen == ["s.png"]


def test_commands_without_a_window_never_load_qt(sample):
    code = ("import sys; from dgviewer.cli import main; assert main(['info', sys.argv[1]]) == 0; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]; "
            "assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code, sample], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


# -- outputs ----------------------------------------------------------------------------
def test_validate_json_is_complete_and_leaves_no_temporary(sample, tmp_path):
    out = tmp_path / "r.json"
    assert main(["validate", sample, "--json", str(out), "--csv", str(tmp_path / "r.csv"), "--quiet"]) == 0
    assert json.loads(out.read_text())["format"] == "dgviewer-qa"
    assert (tmp_path / "r.csv").read_text().startswith("severity,check,datapoint,")
    assert leftovers(tmp_path) == []


def test_validate_json_into_a_missing_folder_is_one_line_and_exit_2(sample, tmp_path, capsys):
    assert main(["validate", sample, "--json", str(tmp_path / "nope" / "r.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"dgviewer: cannot write {tmp_path / 'nope' / 'r.json'}: No such file or directory" in err
    assert "Traceback" not in err and not (tmp_path / "nope").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_validate_json_into_a_read_only_folder(sample, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["validate", sample, "--json", str(ro / "r.json"), "--quiet"]) == 2
        assert "Permission denied" in capsys.readouterr().err
        assert os.listdir(ro) == []
    finally:
        ro.chmod(0o755)


def test_validate_json_failing_mid_write_keeps_the_old_report(sample, tmp_path, monkeypatch, capsys):
    """A disk that fills up while the report is flushed: the old report stays whole, no temporary is left."""
    out = tmp_path / "r.json"
    out.write_text('{"old": true}\n')

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("dgviewer.core.fsio.os.fsync", full)
    assert main(["validate", sample, "--json", str(out), "--quiet"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_text() == '{"old": true}\n' and leftovers(tmp_path) == []


def test_review_export_into_a_missing_folder_is_exit_2(sample, tmp_path, capsys):
    assert main(["review", "export", sample, "--csv", str(tmp_path / "nope" / "r.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


# -- the GUI without a display ------------------------------------------------------------
def _no_display_run(args: list[str], tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NO_DISPLAY}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the demo would be generated here
    return subprocess.run([sys.executable, "-m", "dgviewer", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="other platforms always have a display")
def test_window_without_a_display_is_one_clear_line_and_exit_2(sample, tmp_path):
    for args in (["demo"], [sample], []):
        r = _no_display_run(args, tmp_path)
        assert r.returncode == 2, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, r.stderr
        assert "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0] and "--screenshot" in lines[0]
    assert not (tmp_path / "cache").exists()  # said before generating the demo dataset


def test_a_closed_pipe_is_no_traceback(tmp_path):
    from dgviewer.samples import write_sample

    ds = tmp_path / "ds"
    write_sample(str(ds), variant="scene", size=64, seed=0)
    # `dgviewer info DS | head -1` once head has gone: stdout is a pipe nobody reads.
    code = ("import os, sys; r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"
            f"from dgviewer.cli import main; sys.exit(main(['info', {str(ds)!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
