"""The in-pod command script, run by a real ``sh`` here exactly as the toolbox
pod runs it: inputs land in the scratch dir, the command's exit code, output and
output files come back whole, and nothing is left behind."""

from __future__ import annotations

import glob
import subprocess
import tempfile

from fabric_ops.pod_executor import build_script, parse_output


def run_script(argv, env=None, inputs=None, outputs=()):
    script = build_script(argv, env or {}, inputs or {}, outputs)
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": tempfile.gettempdir()}
    proc = subprocess.run(["sh", "-s"], input=script, capture_output=True, text=True,
                          check=True, env=env)
    return parse_output(argv, proc.stdout)


def test_inputs_outputs_and_exit_code_round_trip():
    binary = bytes(range(256)) * 300  # 76 KiB, not text
    result = run_script(
        ["sh", "-c", "cat in/block.pb > copy.pb; echo \"$GREETING\"; echo oops >&2; exit 3"],
        env={"GREETING": "it's a 'quoted' $value"},
        inputs={"in/block.pb": binary},
        outputs=["copy.pb", "missing.pb"],
    )
    assert result.returncode == 3
    assert result.stdout == "it's a 'quoted' $value\n"
    assert result.stderr == "oops\n"
    assert result.files == {"copy.pb": binary}


def test_scratch_directories_are_removed():
    before = set(glob.glob(f"{tempfile.gettempdir()}/tmp.*"))
    run_script(["true"])
    assert set(glob.glob(f"{tempfile.gettempdir()}/tmp.*")) == before


def test_incomplete_output_is_an_error():
    import pytest

    from fabric_ops.pod_executor import TransportError

    with pytest.raises(TransportError):
        parse_output(["peer"], "@@FABRIC-OP rc 0\n")
